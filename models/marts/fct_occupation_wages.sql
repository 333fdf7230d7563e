{#- Grain: one row per release x area x industry x ownership x occupation x o_group.
    Every hierarchy level is kept (filter on o_group; never mix levels in a statistic). -#}

{%- set row_rules = var('row_rules') %}

with

estimates_deduplicated as (
    select * from {{ ref('int_estimates_deduplicated') }}
),

areas_located as (
    select * from {{ ref('int_areas_located') }}
),

top_code_bounds as (
    select * from {{ ref('top_code_bounds') }}
),

release_deflators as (
    select * from {{ ref('int_release_deflators') }}
),

area_price_parities as (
    select * from {{ ref('int_area_price_parities') }}
),

estimates_located as (
    -- PRIM_STATE as printed, else derived from the area (releases before 2020 lack it)
    select
        estimates_deduplicated.* replace (
            coalesce(estimates_deduplicated.prim_state, areas_located.prim_state) as prim_state
        )
    from estimates_deduplicated
    left join areas_located
        on estimates_deduplicated.release_year = areas_located.release_year
        and estimates_deduplicated.area = areas_located.area
),

estimates_with_bounds as (
    select
        estimates_located.*,
        -- the bound behind '#' in this release (every release must have one: see the seed's tests)
        top_code_bounds.hourly_bound as top_code_hourly_bound,
        top_code_bounds.annual_bound as top_code_annual_bound
    from estimates_located
    left join top_code_bounds
        on estimates_located.release_year = top_code_bounds.release_year
),

wages_with_measures as (
    select
        {{ surrogate_key(['release_year', 'area', 'naics', 'own_code', 'occ_code', 'o_group']) }}
            as occupation_wage_id,
        *,
        {{ soc_major_group_code('occ_code') }} as soc_major_group_code,

        ---------- derived measures
        a_mean * tot_emp as total_payroll,
        case when tot_emp > 0 then a_mean / tot_emp end as wage_emp_ratio,
        a_mean * mean_prse / 100 as a_mean_se,
        h_mean * mean_prse / 100 as h_mean_se,
        tot_emp * emp_prse / 100 as tot_emp_se,

        ---------- selection
        -- the rows state, national and MSA workbooks hold; an all-data workbook adds
        -- industry and ownership rows, which are false here (codes: var row_rules)
        coalesce(i_group, '{{ row_rules.cross_industry_i_group }}') = '{{ row_rules.cross_industry_i_group }}'
        and coalesce(own_code, '{{ row_rules.all_ownerships_own_code }}') = '{{ row_rules.all_ownerships_own_code }}'
            as is_cross_industry_all_ownerships
    from estimates_with_bounds
),

wages_in_real_dollars as (
    -- every wage measure also in May dollars of the base release (int_release_deflators)
    select
        wages_with_measures.*,
        release_deflators.cpi_u_may,
        release_deflators.real_dollars_base_year,
        release_deflators.cpi_ratio_to_base,
    {% for column in bls_hourly_wage_columns() + bls_annual_wage_columns() + ['a_mean_se'] -%}
        wages_with_measures.{{ column }} * release_deflators.cpi_ratio_to_base as {{ column }}_real
        {{- "," if not loop.last }}
    {% endfor %}
    from wages_with_measures
    left join release_deflators
        on wages_with_measures.release_year = release_deflators.release_year
),

wages_at_national_prices as (
    -- every wage measure also in U.S.-average prices: what the wage would buy at the
    -- national average price level (wage / RPP x 100; int_area_price_parities)
    select
        wages_in_real_dollars.*,
        area_price_parities.rpp,
        area_price_parities.rpp_year,
        area_price_parities.is_rpp_of_earlier_year,
        area_price_parities.rpp_missing_reason,
    {% for column in bls_hourly_wage_columns() + bls_annual_wage_columns() + ['a_mean_se', 'h_mean_se'] -%}
        wages_in_real_dollars.{{ column }} * 100 / area_price_parities.rpp
            as {{ column }}_rpp_adjusted
        {{- "," if not loop.last }}
    {% endfor %}
    from wages_in_real_dollars
    left join area_price_parities
        on wages_in_real_dollars.release_year = area_price_parities.release_year
        and wages_in_real_dollars.area = area_price_parities.area
)

select * from wages_at_national_prices
