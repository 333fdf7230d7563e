{#- Grain: one row per release x area, with the area's primary state: as BLS printed it,
    else derived from what the area says (releases before 2020 have no PRIM_STATE column):
    the state's FIPS code for a state or territory (area_type 2, 3), US for the nation
    (area_type 1), the first postal code after the comma of a metropolitan area's title
    ("Allentown-Bethlehem-Easton, PA-NJ" -> PA); otherwise NULL. -#}

with

estimates as (
    select * from {{ ref('stg_oews__estimates') }}
),

census_regions as (
    select * from {{ ref('census_regions') }}
),

areas_by_release as (
    -- one row per release and area; a printed PRIM_STATE wins over an empty one
    select
        release_year,
        area,
        area_type,
        area_title,
        prim_state as printed_prim_state,
        nullif(regexp_extract(area_title, ',\s*([A-Z]{2})\b', 1), '') as title_postal_code
    from estimates
    qualify row_number() over (
        partition by release_year, area
        order by (prim_state is null), (file_kind = 'all'), file_kind, sheet_row
    ) = 1
),

areas_with_derived_state as (
    select
        areas_by_release.*,
        case
            when areas_by_release.area_type = 1 then 'US'
            when areas_by_release.area_type in (2, 3) then states_by_fips.prim_state
            when areas_by_release.area_type in (4, 5) then states_by_title.prim_state
        end as derived_prim_state
    from areas_by_release
    left join census_regions as states_by_fips
        on areas_by_release.area_type in (2, 3)
        and lpad(areas_by_release.area, 2, '0') = states_by_fips.state_fips
    left join census_regions as states_by_title
        on areas_by_release.title_postal_code = states_by_title.prim_state
),

areas_located as (
    select
        release_year,
        area,
        area_type,
        area_title,
        coalesce(printed_prim_state, derived_prim_state) as prim_state,
        printed_prim_state is null and derived_prim_state is not null as is_prim_state_derived
    from areas_with_derived_state
)

select * from areas_located
