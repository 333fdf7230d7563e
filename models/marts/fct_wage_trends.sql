{#- Grain: one row per release x area x industry x ownership x occupation series
    (occ_series_code) x o_group: an occupation in an area, every release, nominal and real,
    with whether the row is comparable with the newest release of its file kind. -#}

with

occupation_wages as (
    select * from {{ ref('fct_occupation_wages') }}
),

soc_vintages as (
    select * from {{ ref('soc_vintages') }}
),

soc_series as (
    select * from {{ ref('int_soc_series') }}
),

wage_changes as (
    select * from {{ ref('fct_wage_changes') }}
),

newest_releases as (
    select
        file_kind,
        max(release_year) as newest_release_year
    from occupation_wages
    group by file_kind
),

changes_against_newest as (
    -- each earlier row's pair with the newest release of its file kind
    select
        earlier_occupation_wage_id,
        is_soc_comparable,
        soc_comparability_rule
    from wage_changes
    where is_against_newest and has_earlier_row
),

wages_in_series as (
    select
        occupation_wages.*,
        soc_vintages.soc_vintage,
        {{ occ_series_code('occupation_wages.o_group', 'occupation_wages.occ_code', 'soc_series.series_occ_code') }}
            as occ_series_code,
        soc_series.series_soc_vintage,
        soc_series.soc_mapping_rule
    from occupation_wages
    left join soc_vintages
        on occupation_wages.release_year = soc_vintages.release_year
    left join soc_series
        on soc_vintages.soc_vintage = soc_series.soc_vintage
        and {{ detailed_occ_code('occupation_wages.o_group', 'occupation_wages.occ_code') }}
        = soc_series.occ_code
),

trends as (
    select
        wages_in_series.occupation_wage_id,
        wages_in_series.release_year,
        wages_in_series.file_kind,
        wages_in_series.area,
        wages_in_series.area_title,
        wages_in_series.area_type,
        wages_in_series.prim_state,
        wages_in_series.naics,
        wages_in_series.own_code,
        wages_in_series.o_group,

        ---------- the occupation: the code printed that release and the series it belongs to
        wages_in_series.occ_code,
        wages_in_series.occ_title,
        wages_in_series.occ_series_code,
        wages_in_series.soc_vintage,
        wages_in_series.series_soc_vintage,
        wages_in_series.soc_mapping_rule,

        ---------- nominal dollars of the release
        wages_in_series.a_mean,
        wages_in_series.a_median,
        wages_in_series.h_mean,
        wages_in_series.a_mean_se,
        wages_in_series.h_mean_se,

        ---------- real dollars: May dollars of the base release (the newest loaded)
        wages_in_series.cpi_u_may,
        wages_in_series.real_dollars_base_year,
        wages_in_series.cpi_ratio_to_base,
        wages_in_series.a_mean_real,
        wages_in_series.a_median_real,
        wages_in_series.h_mean_real,
        wages_in_series.a_mean_se_real,

        ---------- flags: top-coded (`#`) and not published (`*`)
        wages_in_series.is_a_mean_top_coded,
        wages_in_series.is_a_mean_not_available,
        wages_in_series.is_a_median_top_coded,
        wages_in_series.is_a_median_not_available,
        wages_in_series.is_h_mean_top_coded,
        wages_in_series.is_h_mean_not_available,

        ---------- against the newest release of the file kind
        newest_releases.newest_release_year,
        wages_in_series.release_year = newest_releases.newest_release_year as is_newest_release,
        coalesce(
            changes_against_newest.is_soc_comparable,
            wages_in_series.release_year = newest_releases.newest_release_year
        ) as is_comparable_with_newest,
        case
            when wages_in_series.release_year = newest_releases.newest_release_year then 'newest release'
            else changes_against_newest.soc_comparability_rule
        end as soc_comparability_rule
    from wages_in_series
    inner join newest_releases
        on wages_in_series.file_kind = newest_releases.file_kind
    left join changes_against_newest
        on wages_in_series.occupation_wage_id = changes_against_newest.earlier_occupation_wage_id
)

select * from trends
