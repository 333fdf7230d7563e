{#- Grain: one row per release x area. The all-items Regional Price Parity (BEA, U.S. = 100)
    every wage of the area and release is adjusted with: of the release's own year, else of
    the latest year BEA has published before it (flagged), else NULL with the reason. -#}

with

areas_located as (
    select * from {{ ref('int_areas_located') }}
),

regional_price_parities as (
    select * from {{ ref('regional_price_parities') }}
),

all_items_parities as (
    -- the nation is in both of BEA's files with the same 100: keep the state table's row
    select
        geo_fips,
        geo_name,
        rpp_year,
        rpp,
        source_file,
        release_date
    from regional_price_parities
    where component = 'all items'
    qualify row_number() over (
        partition by geo_fips, rpp_year
        order by (geography = 'state' or source_file like 'SARPP%') desc
    ) = 1
),

first_parity_year as (
    select min(rpp_year) as first_rpp_year
    from all_items_parities
),

areas_keyed as (
    -- BEA's GeoFIPS of the area: state FIPS x 1000 ("6" -> "06000"), a metropolitan area's
    -- CBSA code, "00000" for the nation; none for territories, divisions, nonmetro areas
    select
        release_year,
        area,
        area_type,
        area_title,
        case
            when area_type = 1 then '00000'
            when area_type = 2 then lpad(area, 2, '0') || '000'
            when area_type = 4 then lpad(ltrim(area, '0'), 5, '0')
        end as rpp_geo_fips
    from areas_located
),

areas_with_parity_year as (
    -- the release's own year, else the latest BEA year before it
    select
        areas_keyed.*,
        max(all_items_parities.rpp_year) as rpp_year
    from areas_keyed
    left join all_items_parities
        on areas_keyed.rpp_geo_fips = all_items_parities.geo_fips
        and areas_keyed.release_year >= all_items_parities.rpp_year
    group by all
),

areas_priced as (
    select
        areas_with_parity_year.release_year,
        areas_with_parity_year.area,
        areas_with_parity_year.area_type,
        areas_with_parity_year.area_title,
        areas_with_parity_year.rpp_geo_fips,
        all_items_parities.geo_name as rpp_geo_name,
        all_items_parities.rpp,
        areas_with_parity_year.rpp_year,
        areas_with_parity_year.rpp_year < areas_with_parity_year.release_year
            as is_rpp_of_earlier_year,
        all_items_parities.source_file as rpp_source_file,
        all_items_parities.release_date as rpp_release_date,
        case
            when all_items_parities.rpp is not null then null
            when areas_with_parity_year.area_type = 3
                then 'BEA publishes no RPP for U.S. territories'
            when areas_with_parity_year.area_type = 5
                then 'BEA publishes RPPs for whole metropolitan areas, not their divisions'
            when areas_with_parity_year.area_type = 6
                then 'BEA publishes no RPP for OEWS nonmetropolitan areas'
            when areas_with_parity_year.release_year < first_parity_year.first_rpp_year
                then
                    'the release is older than BEA''s first RPP year ('
                    || first_parity_year.first_rpp_year || ')'
            when areas_with_parity_year.area_type = 4
                then
                    'CBSA code not in BEA''s metropolitan table (MARPP): another OMB '
                    || 'delineation than BEA''s, or an area BEA does not cover'
            else 'no RPP in BEA''s tables for this area'
        end as rpp_missing_reason
    from areas_with_parity_year
    cross join first_parity_year
    left join all_items_parities
        on areas_with_parity_year.rpp_geo_fips = all_items_parities.geo_fips
        and areas_with_parity_year.rpp_year = all_items_parities.rpp_year
)

select * from areas_priced
