{#- Grain: one row per loaded release. The May CPI-U of the release and of the base
    release whose dollars every `*_real` column is in (var real_dollars_base_release,
    default: the newest loaded release). -#}

with

estimates_deduplicated as (
    select * from {{ ref('int_estimates_deduplicated') }}
),

cpi_u_may as (
    select * from {{ ref('cpi_u_may') }}
),

releases_loaded as (
    select distinct release_year
    from estimates_deduplicated
),

base_release as (
    select
        coalesce(
            {{ var('real_dollars_base_release') if var('real_dollars_base_release') is not none else 'null' }},
            max(release_year)
        ) as real_dollars_base_year
    from releases_loaded
),

releases_deflated as (
    select
        releases_loaded.release_year,
        release_cpi.cpi_u as cpi_u_may,
        base_release.real_dollars_base_year,
        base_cpi.cpi_u as base_cpi_u_may,
        base_cpi.cpi_u / release_cpi.cpi_u as cpi_ratio_to_base
    from releases_loaded
    cross join base_release
    left join cpi_u_may as release_cpi
        on releases_loaded.release_year = release_cpi.release_year
    left join cpi_u_may as base_cpi
        on base_release.real_dollars_base_year = base_cpi.release_year
)

select * from releases_deflated
