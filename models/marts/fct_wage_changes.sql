{#- Grain: one row per file kind x pair of releases x area x industry x ownership x
    occupation series (occ_series_code: a detailed code follows its one-to-one renames) x o_group. Pairs: every release of a file kind against the newest of that
    kind, and consecutive releases of that kind. BLS's caution: docs block release_caution. -#}

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

soc_major_groups_moved as (
    select * from {{ ref('int_soc_major_groups_moved') }}
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
    -- the key of a row across releases: codes without leading zeros, all ownerships where not
    -- printed, a detailed occupation's series (its code in the newest vintage it maps to one to one)
    select
        occupation_wages.*,
        {{ code_without_leading_zeros('occupation_wages.area') }} as area_key,
        {{ code_without_leading_zeros('occupation_wages.naics') }} as naics_key,
        coalesce(occupation_wages.own_code, '1235') as own_code_key,
        {{ occ_series_code('occupation_wages.o_group', 'occupation_wages.occ_code', 'soc_series.series_occ_code') }}
            as occ_series_code,
        soc_series.series_soc_vintage,
        soc_series.series_soc_vintage_rank,
        soc_series.soc_mapping_rule
    from occupation_wages
    left join soc_vintages
        on occupation_wages.release_year = soc_vintages.release_year
    left join soc_series
        on soc_vintages.soc_vintage = soc_series.soc_vintage
        and {{ detailed_occ_code('occupation_wages.o_group', 'occupation_wages.occ_code') }}
        = soc_series.occ_code
),

pair_keys as (
    select distinct
        pairs_labelled.*,
        wages_keyed.area_key,
        wages_keyed.naics_key,
        wages_keyed.own_code_key,
        wages_keyed.occ_series_code,
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
        coalesce(later.occ_code, earlier.occ_code) as occ_code,
        earlier.occ_code as occ_code_earlier,
        later.occ_code as occ_code_later,
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

        ---------- each side's SOC series (detailed occupations; int_soc_series)
        earlier.series_soc_vintage as series_soc_vintage_earlier,
        later.series_soc_vintage as series_soc_vintage_later,
        earlier.series_soc_vintage_rank as series_soc_vintage_rank_earlier,
        earlier.soc_mapping_rule as soc_mapping_rule_earlier,

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
        and pair_keys.occ_series_code = earlier.occ_series_code
        and pair_keys.o_group = earlier.o_group
    left join wages_keyed as later
        on pair_keys.file_kind = later.file_kind
        and pair_keys.later_release_year = later.release_year
        and pair_keys.area_key = later.area_key
        and pair_keys.naics_key = later.naics_key
        and pair_keys.own_code_key = later.own_code_key
        and pair_keys.occ_series_code = later.occ_series_code
        and pair_keys.o_group = later.o_group
),

pairs_with_vintages as (
    select
        pairs_joined.*,
        earlier_vintage.soc_vintage as soc_vintage_earlier,
        later_vintage.soc_vintage as soc_vintage_later,
        later_vintage.soc_vintage_rank as soc_vintage_rank_later,
        -- the SOC editions whose crosswalk lies between the two releases (a hybrid release
        -- lies on both sides of its crosswalk)
        earlier_vintage.soc_vintage <> later_vintage.soc_vintage
        and earlier_vintage.older_soc_edition < 2010 and later_vintage.newer_soc_edition >= 2010
            as is_across_soc_2010,
        earlier_vintage.soc_vintage <> later_vintage.soc_vintage
        and earlier_vintage.older_soc_edition < 2018 and later_vintage.newer_soc_edition >= 2018
            as is_across_soc_2018
    from pairs_joined
    left join soc_vintages as earlier_vintage
        on pairs_joined.earlier_release_year = earlier_vintage.release_year
    left join soc_vintages as later_vintage
        on pairs_joined.later_release_year = later_vintage.release_year
),

series_in_vintages as (
    -- the series each vintage has a code of (a code of the later release with no partner in
    -- the earlier vintage is new, split off or merged there)
    select distinct
        soc_vintage,
        series_soc_vintage,
        series_occ_code
    from soc_series
),

major_group_moves as (
    select
        soc_major_group_code,
        bool_or(to_soc_edition = 2010) as is_moved_by_soc_2010,
        bool_or(to_soc_edition = 2018) as is_moved_by_soc_2018
    from soc_major_groups_moved
    group by 1
),

pairs_checked as (
    select
        pairs_with_vintages.*,
        series_in_vintages.series_occ_code is not null as has_partner_in_earlier_vintage,
        coalesce(
            (major_group_moves.is_moved_by_soc_2010 and pairs_with_vintages.is_across_soc_2010)
            or (major_group_moves.is_moved_by_soc_2018 and pairs_with_vintages.is_across_soc_2018),
            false
        ) as is_major_group_moved
    from pairs_with_vintages
    left join series_in_vintages
        on pairs_with_vintages.soc_vintage_earlier = series_in_vintages.soc_vintage
        and pairs_with_vintages.series_soc_vintage_later = series_in_vintages.series_soc_vintage
        and pairs_with_vintages.occ_series_code = series_in_vintages.series_occ_code
    left join major_group_moves
        on pairs_with_vintages.occ_series_code = major_group_moves.soc_major_group_code
        and pairs_with_vintages.o_group = 'major'
),

pairs_compared as (
    -- the rule that decides each row (docs block soc_comparability)
    select
        * exclude (
            soc_vintage_rank_later, series_soc_vintage_rank_earlier, soc_mapping_rule_earlier,
            series_soc_vintage_earlier, series_soc_vintage_later, is_across_soc_2010, is_across_soc_2018,
            has_partner_in_earlier_vintage, is_major_group_moved
        ),
        case
            when o_group = 'total' then 'all occupations: the same in every release'
            when soc_vintage_earlier = soc_vintage_later and has_earlier_row and has_later_row then 'same SOC vintage'
            when soc_vintage_earlier = soc_vintage_later and has_earlier_row then 'not published in the later release'
            when soc_vintage_earlier = soc_vintage_later then 'not published in the earlier release'
            when o_group = 'major' and is_major_group_moved
                then 'not comparable: BLS crosswalk moves occupations into or out of the major group'
            when o_group = 'major' and has_earlier_row and has_later_row
                then 'major group: no occupation moved in or out by BLS crosswalks'
            when o_group in ('minor', 'broad')
                then 'not comparable: minor and broad groups are compared within one SOC vintage only'
            when o_group <> 'detailed' and has_earlier_row then 'not published in the later release'
            when o_group <> 'detailed' then 'not published in the earlier release'
            when
                has_earlier_row and has_later_row and series_soc_vintage_earlier = series_soc_vintage_later
                and occ_code_earlier = occ_code_later
                then 'same code, one to one in BLS crosswalks'
            when has_earlier_row and has_later_row and series_soc_vintage_earlier = series_soc_vintage_later
                then 'renamed, one to one in BLS crosswalks'
            when has_earlier_row and series_soc_vintage_rank_earlier < soc_vintage_rank_later
                then 'not comparable: ' || soc_mapping_rule_earlier
            when has_later_row and not has_partner_in_earlier_vintage
                then 'not comparable: no one-to-one code in ' || soc_vintage_earlier
            when has_earlier_row and has_later_row then 'not comparable: the codes do not map one to one'
            when has_earlier_row then 'not published in the later release'
            else 'not published in the earlier release'
        end as soc_comparability_rule,
        has_earlier_row and has_later_row and (
            o_group = 'total'
            or soc_vintage_earlier = soc_vintage_later
            or (o_group = 'major' and not is_major_group_moved)
            or (o_group = 'detailed' and series_soc_vintage_earlier = series_soc_vintage_later)
        ) as is_soc_comparable
    from pairs_checked
),

changes_computed as (
    select
        {{ surrogate_key(['file_kind', 'earlier_release_year', 'later_release_year', 'area_key', 'naics_key',
                          'own_code_key', 'occ_series_code', 'o_group']) }} as wage_change_id,
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

        ---------- survey panels the two releases share (docs block shared_panels): each release
        -- pools the six semiannual panels of its three years, so k years apart share 6 - 2k
        later_release_year - earlier_release_year as years_apart,
        greatest(0, 6 - 2 * (later_release_year - earlier_release_year)) as shared_panels,

        ---------- a_median: nominal, real, percent (BLS publishes no standard error of a median)
        a_median_later - a_median_earlier as a_median_change,
        a_median_later * cpi_ratio_to_base_later - a_median_earlier * cpi_ratio_to_base_earlier
            as a_median_real_change,
        100 * (a_median_later / nullif(a_median_earlier, 0) - 1) as a_median_pct_change,
        100 * (
            (a_median_later * cpi_ratio_to_base_later) / nullif(a_median_earlier * cpi_ratio_to_base_earlier, 0) - 1
        ) as a_median_real_pct_change
    from pairs_compared
),

changes_tested as (
    select
        *,
        a_mean_change / nullif(a_mean_change_se, 0) as a_mean_change_z,
        a_mean_real_change / nullif(a_mean_real_change_se, 0) as a_mean_real_change_z,

        ---------- the approximation under shared panels: the two estimates correlated by
        -- shared_panels / 6 (equal panel weights, shared panels fully correlated)
        sqrt(
            a_mean_se_earlier ^ 2 + a_mean_se_later ^ 2
            - 2 * shared_panels / 6 * a_mean_se_earlier * a_mean_se_later
        ) as a_mean_change_se_shared_panels,
        sqrt(
            (a_mean_se_earlier * cpi_ratio_to_base_earlier) ^ 2
            + (a_mean_se_later * cpi_ratio_to_base_later) ^ 2
            - 2 * shared_panels / 6
            * (a_mean_se_earlier * cpi_ratio_to_base_earlier)
            * (a_mean_se_later * cpi_ratio_to_base_later)
        ) as a_mean_real_change_se_shared_panels
    from changes_computed
),

changes_tested_shared_panels as (
    select
        *,
        a_mean_change / nullif(a_mean_change_se_shared_panels, 0)
            as a_mean_change_z_shared_panels,
        a_mean_real_change / nullif(a_mean_real_change_se_shared_panels, 0)
            as a_mean_real_change_z_shared_panels
    from changes_tested
)

select * from changes_tested_shared_panels
