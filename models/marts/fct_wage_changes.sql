{#- Grain: one row per file kind x pair of releases x area x industry x ownership x
    occupation x o_group. Pairs: every release of a file kind against the newest of that
    kind, and consecutive releases of that kind. BLS's caution: docs block release_caution. -#}

with

occupation_wages as (
    select * from {{ ref('fct_occupation_wages') }}
),

soc_vintages as (
    select * from {{ ref('soc_vintages') }}
),

releases_by_kind as (
    select distinct
        file_kind,
        release_year
    from occupation_wages
),

releases_ranked as (
    select
        file_kind,
        release_year,
        lead(release_year) over (partition by file_kind order by release_year) as next_release_year,
        max(release_year) over (partition by file_kind) as newest_release_year
    from releases_by_kind
),

release_pairs as (
    select distinct
        file_kind,
        earlier_release_year,
        later_release_year
    from (
        select
            file_kind,
            release_year as earlier_release_year,
            next_release_year as later_release_year
        from releases_ranked
        where next_release_year is not null
        union all
        select
            file_kind,
            release_year as earlier_release_year,
            newest_release_year as later_release_year
        from releases_ranked
        where release_year < newest_release_year
    ) as pairs
),

pairs_labelled as (
    select
        release_pairs.*,
        release_pairs.later_release_year = releases_ranked.newest_release_year as is_against_newest,
        release_pairs.later_release_year = releases_ranked.next_release_year as is_consecutive_pair
    from release_pairs
    inner join releases_ranked
        on release_pairs.file_kind = releases_ranked.file_kind
        and release_pairs.earlier_release_year = releases_ranked.release_year
),

wages_keyed as (
    -- the key of a row across releases: codes without leading zeros, all ownerships where not printed
    select
        *,
        {{ code_without_leading_zeros('area') }} as area_key,
        {{ code_without_leading_zeros('naics') }} as naics_key,
        coalesce(own_code, '1235') as own_code_key
    from occupation_wages
),

pair_keys as (
    select distinct
        pairs_labelled.*,
        wages_keyed.area_key,
        wages_keyed.naics_key,
        wages_keyed.own_code_key,
        wages_keyed.occ_code,
        wages_keyed.o_group
    from pairs_labelled
    inner join wages_keyed
        on pairs_labelled.file_kind = wages_keyed.file_kind
        and wages_keyed.release_year in (pairs_labelled.earlier_release_year, pairs_labelled.later_release_year)
),

pairs_joined as (
    select
        pair_keys.*,
        earlier.occupation_wage_id as earlier_occupation_wage_id,
        later.occupation_wage_id as later_occupation_wage_id,
        coalesce(later.area, earlier.area) as area,
        coalesce(later.area_title, earlier.area_title) as area_title,
        coalesce(later.area_type, earlier.area_type) as area_type,
        coalesce(later.prim_state, earlier.prim_state) as prim_state,
        coalesce(later.naics, earlier.naics) as naics,
        coalesce(later.own_code, earlier.own_code) as own_code,
        coalesce(later.occ_title, earlier.occ_title) as occ_title,
        coalesce(later.soc_major_group_code, earlier.soc_major_group_code) as soc_major_group_code,

        ---------- the two releases' values
        earlier.a_mean as a_mean_earlier,
        later.a_mean as a_mean_later,
        earlier.a_mean_se as a_mean_se_earlier,
        later.a_mean_se as a_mean_se_later,
        earlier.a_median as a_median_earlier,
        later.a_median as a_median_later,
        earlier.cpi_u_may as cpi_u_may_earlier,
        later.cpi_u_may as cpi_u_may_later,
        coalesce(later.real_dollars_base_year, earlier.real_dollars_base_year) as real_dollars_base_year,
        earlier.cpi_ratio_to_base as cpi_ratio_to_base_earlier,
        later.cpi_ratio_to_base as cpi_ratio_to_base_later,

        ---------- flags
        earlier.occupation_wage_id is not null as has_earlier_row,
        later.occupation_wage_id is not null as has_later_row,
        coalesce(earlier.is_a_mean_not_available, false) or coalesce(later.is_a_mean_not_available, false)
            as is_a_mean_suppressed_either,
        coalesce(earlier.is_a_mean_top_coded, false) or coalesce(later.is_a_mean_top_coded, false)
            as is_a_mean_top_coded_either,
        coalesce(earlier.is_a_median_not_available, false) or coalesce(later.is_a_median_not_available, false)
            as is_a_median_suppressed_either,
        coalesce(earlier.is_a_median_top_coded, false) or coalesce(later.is_a_median_top_coded, false)
            as is_a_median_top_coded_either
    from pair_keys
    left join wages_keyed as earlier
        on pair_keys.file_kind = earlier.file_kind
        and pair_keys.earlier_release_year = earlier.release_year
        and pair_keys.area_key = earlier.area_key
        and pair_keys.naics_key = earlier.naics_key
        and pair_keys.own_code_key = earlier.own_code_key
        and pair_keys.occ_code = earlier.occ_code
        and pair_keys.o_group = earlier.o_group
    left join wages_keyed as later
        on pair_keys.file_kind = later.file_kind
        and pair_keys.later_release_year = later.release_year
        and pair_keys.area_key = later.area_key
        and pair_keys.naics_key = later.naics_key
        and pair_keys.own_code_key = later.own_code_key
        and pair_keys.occ_code = later.occ_code
        and pair_keys.o_group = later.o_group
),

pairs_with_vintages as (
    select
        pairs_joined.*,
        earlier_vintage.soc_vintage as soc_vintage_earlier,
        later_vintage.soc_vintage as soc_vintage_later,
        -- comparable: both releases on one pure SOC vintage (no 2010/2018 mix), the code in both
        coalesce(
            earlier_vintage.is_soc_2018_only and later_vintage.is_soc_2018_only
            and pairs_joined.has_earlier_row and pairs_joined.has_later_row,
            false
        ) as is_soc_comparable
    from pairs_joined
    left join soc_vintages as earlier_vintage
        on pairs_joined.earlier_release_year = earlier_vintage.release_year
    left join soc_vintages as later_vintage
        on pairs_joined.later_release_year = later_vintage.release_year
),

changes_computed as (
    select
        {{ surrogate_key(['file_kind', 'earlier_release_year', 'later_release_year', 'area_key', 'naics_key',
                          'own_code_key', 'occ_code', 'o_group']) }} as wage_change_id,
        * exclude (area_key, naics_key, own_code_key),

        ---------- a_mean: nominal, real (base-release dollars), percent, standard error, z
        a_mean_later - a_mean_earlier as a_mean_change,
        a_mean_later * cpi_ratio_to_base_later - a_mean_earlier * cpi_ratio_to_base_earlier as a_mean_real_change,
        100 * (a_mean_later / nullif(a_mean_earlier, 0) - 1) as a_mean_pct_change,
        100 * (
            (a_mean_later * cpi_ratio_to_base_later) / nullif(a_mean_earlier * cpi_ratio_to_base_earlier, 0) - 1
        ) as a_mean_real_pct_change,
        sqrt(a_mean_se_earlier ^ 2 + a_mean_se_later ^ 2) as a_mean_change_se,
        sqrt(
            (a_mean_se_earlier * cpi_ratio_to_base_earlier) ^ 2 + (a_mean_se_later * cpi_ratio_to_base_later) ^ 2
        ) as a_mean_real_change_se,

        ---------- a_median: nominal, real, percent (BLS publishes no standard error of a median)
        a_median_later - a_median_earlier as a_median_change,
        a_median_later * cpi_ratio_to_base_later - a_median_earlier * cpi_ratio_to_base_earlier
            as a_median_real_change,
        100 * (a_median_later / nullif(a_median_earlier, 0) - 1) as a_median_pct_change,
        100 * (
            (a_median_later * cpi_ratio_to_base_later) / nullif(a_median_earlier * cpi_ratio_to_base_earlier, 0) - 1
        ) as a_median_real_pct_change
    from pairs_with_vintages
),

changes_tested as (
    select
        *,
        a_mean_change / nullif(a_mean_change_se, 0) as a_mean_change_z,
        a_mean_real_change / nullif(a_mean_real_change_se, 0) as a_mean_real_change_z
    from changes_computed
)

select * from changes_tested
