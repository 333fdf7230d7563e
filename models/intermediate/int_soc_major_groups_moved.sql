{#- Grain: one row per SOC edition a crosswalk leads to (2010, 2018) x major group that
    crosswalk moves a detailed occupation into or out of. A major group listed here is not
    the same set of occupations on both sides of that crosswalk. -#}

with

crosswalk_2000_2010 as (
    select * from {{ ref('soc_2000_to_2010_crosswalk') }}
),

crosswalk_2010_2018 as (
    select * from {{ ref('soc_2010_to_2018_crosswalk') }}
),

links_across_major_groups as (
    -- crosswalk rows whose two codes lie in different major groups
    select
        2010 as to_soc_edition,
        {{ soc_major_group_code('soc_2000_code') }} as from_major_group_code,
        {{ soc_major_group_code('soc_2010_code') }} as to_major_group_code
    from crosswalk_2000_2010
    where left(soc_2000_code, 2) <> left(soc_2010_code, 2)
    union all
    select
        2018 as to_soc_edition,
        {{ soc_major_group_code('soc_2010_code') }} as from_major_group_code,
        {{ soc_major_group_code('soc_2018_code') }} as to_major_group_code
    from crosswalk_2010_2018
    where left(soc_2010_code, 2) <> left(soc_2018_code, 2)
),

major_groups_moved as (
    select
        to_soc_edition,
        soc_major_group_code,
        count(*) as n_links_across
    from (
        select
            to_soc_edition,
            from_major_group_code as soc_major_group_code
        from links_across_major_groups
        union all
        select
            to_soc_edition,
            to_major_group_code as soc_major_group_code
        from links_across_major_groups
    ) as group_ends
    group by 1, 2
)

select * from major_groups_moved
