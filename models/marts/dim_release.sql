{#- Grain: one row per OEWS release loaded (release_year). -#}

with

occupation_wages as (
    select * from {{ ref('fct_occupation_wages') }}
),

release_deflators as (
    select * from {{ ref('int_release_deflators') }}
),

soc_vintages as (
    select * from {{ ref('soc_vintages') }}
),

top_code_bounds as (
    select * from {{ ref('top_code_bounds') }}
),

workbooks_loaded as (
    -- one row per release x workbook (a release and file kind is one workbook)
    select
        release_year,
        file_kind,
        source_file,
        source_sha256,
        count(*) as n_rows
    from occupation_wages
    group by release_year, file_kind, source_file, source_sha256
),

releases_with_workbooks as (
    select
        release_year,
        list(file_kind order by file_kind) as file_kinds,
        list(
            { 'file_kind': file_kind, 'source_file': source_file, 'source_sha256': source_sha256, 'n_rows': n_rows }
            order by file_kind
        ) as workbooks,
        sum(n_rows) as n_rows
    from workbooks_loaded
    group by release_year
),

releases_described as (
    select
        releases_with_workbooks.release_year,
        'May' as reference_month,
        soc_vintages.soc_vintage,
        soc_vintages.soc_vintage_rank,
        soc_vintages.older_soc_edition,
        soc_vintages.newer_soc_edition,
        soc_vintages.is_soc_hybrid,
        top_code_bounds.hourly_bound as top_code_hourly_bound,
        top_code_bounds.annual_bound as top_code_annual_bound,
        releases_with_workbooks.file_kinds,
        releases_with_workbooks.workbooks,
        releases_with_workbooks.n_rows,
        release_deflators.cpi_u_may,
        release_deflators.real_dollars_base_year,
        release_deflators.cpi_ratio_to_base,
        'May ' || releases_with_workbooks.release_year as reference_period,
        releases_with_workbooks.release_year = release_deflators.real_dollars_base_year as is_real_dollars_base,
        releases_with_workbooks.release_year = max(releases_with_workbooks.release_year) over () as is_newest_release
    from releases_with_workbooks
    left join release_deflators
        on releases_with_workbooks.release_year = release_deflators.release_year
    left join soc_vintages
        on releases_with_workbooks.release_year = soc_vintages.release_year
    left join top_code_bounds
        on releases_with_workbooks.release_year = top_code_bounds.release_year
)

select * from releases_described
