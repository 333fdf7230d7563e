{#- BEA's RPPs are price levels relative to the U.S. = 100: the nation's all-items RPP is
    100 in every year of both tables; an area's all-items level lies within 60-150 (BEA's
    own have stayed within 78-123 since 2008) and a component's within 25-400 (housing and
    utilities spread widest: 39-266). Returns each row outside. -#}

with

regional_price_parities as (
    select * from {{ ref('regional_price_parities') }}
),

implausible as (
    select
        source_file,
        geo_fips,
        component,
        rpp_year,
        rpp,
    from regional_price_parities
    where (geography = 'nation' and component = 'all items' and rpp <> 100)
        or (component = 'all items' and rpp not between 60 and 150)
        or rpp not between 25 and 400
)

select * from implausible
