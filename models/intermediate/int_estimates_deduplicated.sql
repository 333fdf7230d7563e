{#- Grain: one row per release x area x industry x ownership x occupation x o_group.
    An all-data workbook repeats the rows of the state, national and MSA workbooks of its
    release; when both are loaded, the row of the workbook made for that level is kept
    (then the first in its sheet). Area and industry codes are compared without leading
    zeros, in case one file prints 000000 where another prints 0. -#}

with

estimates as (
    select * from {{ ref('stg_oews__estimates') }}
),

estimates_deduplicated as (
    select *
    from estimates
    qualify row_number() over (
        partition by
            release_year,
            {{ code_without_leading_zeros('area') }},
            {{ code_without_leading_zeros('naics') }},
            own_code,
            occ_code,
            o_group
        order by (file_kind = 'all'), sheet_row
    ) = 1
)

select * from estimates_deduplicated
