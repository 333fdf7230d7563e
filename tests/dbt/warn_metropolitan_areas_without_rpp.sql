{{ config(severity='warn') }}

{#- OEWS metropolitan areas whose CBSA code is not in BEA's metropolitan table: reported,
    not failed. BLS and BEA both follow OMB's delineations, not always of the same vintage,
    so an area redrawn or renamed between them has no RPP. `wage build` logs each one
    with its reason (fct_occupation_wages.rpp_missing_reason). -#}

with

area_price_parities as (
    select * from {{ ref('int_area_price_parities') }}
),

metropolitan_without_rpp as (
    select
        release_year,
        area,
        area_title,
        rpp_missing_reason,
    from area_price_parities
    where area_type = 4
        and rpp is null
)

select * from metropolitan_without_rpp
