{#- Every state and DC has an all-items RPP in BEA's state table for every year the table
    has: the 50 states and DC are the rows of census_regions with a Census region (the
    territories have none). Returns each state x year without one. -#}

with

regional_price_parities as (
    select * from {{ ref('regional_price_parities') }}
),

census_regions as (
    select * from {{ ref('census_regions') }}
),

state_table_years as (
    select distinct rpp_year
    from regional_price_parities
    where geography = 'state'
),

states_and_dc as (
    select
        prim_state,
        state_fips || '000' as geo_fips,
    from census_regions
    where census_region is not null
),

state_years_missing as (
    select
        states_and_dc.prim_state,
        state_table_years.rpp_year,
    from states_and_dc
    cross join state_table_years
    left join regional_price_parities
        on states_and_dc.geo_fips = regional_price_parities.geo_fips
        and state_table_years.rpp_year = regional_price_parities.rpp_year
        and regional_price_parities.component = 'all items'
    where regional_price_parities.rpp is null
)

select * from state_years_missing
