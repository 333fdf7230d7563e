{#- Grain: one row per BLS area code (titles and types from the newest release). -#}

with

areas_located as (
    select * from {{ ref('int_areas_located') }}
),

area_types as (
    select * from {{ ref('area_types') }}
),

census_regions as (
    select * from {{ ref('census_regions') }}
),

areas_newest as (
    select
        area,
        area_title,
        area_type,
        prim_state,
        release_year
    from areas_located
    qualify row_number() over (
        partition by area
        order by release_year desc
    ) = 1
),

areas_described as (
    select
        areas_newest.area,
        areas_newest.area_title,
        areas_newest.area_type,
        area_types.area_type_name,
        areas_newest.prim_state,
        census_regions.state_fips,
        census_regions.census_region,
        census_regions.census_division,
        areas_newest.release_year as newest_release_year
    from areas_newest
    left join area_types
        on areas_newest.area_type = area_types.area_type
    left join census_regions
        on areas_newest.prim_state = census_regions.prim_state
)

select * from areas_described
