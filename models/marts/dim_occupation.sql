{#- Grain: one row per SOC occupation code (title from the newest release). A code that
    BLS publishes at two levels (broad and detailed in national files) takes the most
    detailed one as its o_group. -#}

with

estimates as (
    select * from {{ ref('stg_oews__estimates') }}
),

o_group_levels as (
    select * from {{ ref('o_group_levels') }}
),

soc_major_groups as (
    select * from {{ ref('soc_major_groups') }}
),

occupations_newest as (
    select
        estimates.occ_code,
        estimates.occ_title,
        estimates.o_group,
        estimates.release_year
    from estimates
    left join o_group_levels
        on estimates.o_group = o_group_levels.o_group
    qualify row_number() over (
        partition by estimates.occ_code
        order by estimates.release_year desc, o_group_levels.level_rank desc, estimates.sheet_row asc
    ) = 1
),

occupations_described as (
    select
        occupations_newest.occ_code,
        occupations_newest.occ_title,
        occupations_newest.o_group,
        {{ soc_major_group_code('occupations_newest.occ_code') }} as soc_major_group_code,
        soc_major_groups.soc_major_group_title,
        occupations_newest.release_year as newest_release_year
    from occupations_newest
    left join soc_major_groups
        on {{ soc_major_group_code('occupations_newest.occ_code') }} = soc_major_groups.soc_major_group_code
)

select * from occupations_described
