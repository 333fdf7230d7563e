{#- Grain: one row per SOC vintage x occupation code: every code of BLS's crosswalks and
    of the OES May 2019 hybrid structure, and every detailed code a loaded release prints.
    Each code follows one-to-one links towards SOC 2018 (docs block soc_series); where a
    link splits, merges or is missing, the series stops and the rule says why. -#}

with

crosswalk_2000_2010 as (
    select * from {{ ref('soc_2000_to_2010_crosswalk') }}
),

crosswalk_2010_2018 as (
    select * from {{ ref('soc_2010_to_2018_crosswalk') }}
),

hybrid_2019 as (
    select * from {{ ref('oes_2019_hybrid_structure') }}
),

soc_vintages as (
    select * from {{ ref('soc_vintages') }}
),

estimates_deduplicated as (
    select * from {{ ref('int_estimates_deduplicated') }}
),

vintages as (
    select distinct
        soc_vintage,
        soc_vintage_rank
    from soc_vintages
),

code_links as (
    -- one row per pair of codes BLS links from one vintage to a newer one
    select distinct
        'SOC 2000' as from_vintage,
        soc_2000_code as from_code,
        'SOC 2010' as to_vintage,
        soc_2010_code as to_code
    from crosswalk_2000_2010
    union all
    select distinct
        'SOC 2010' as from_vintage,
        soc_2010_code as from_code,
        'SOC 2018' as to_vintage,
        soc_2018_code as to_code
    from crosswalk_2010_2018
    union all
    -- a 2019/2020 code towards SOC 2018, and towards SOC 2010 (a hybrid code that is
    -- one SOC 2010 occupation follows that code's series)
    select distinct
        'SOC 2010/2018 hybrid' as from_vintage,
        oes_2019_code as from_code,
        'SOC 2018' as to_vintage,
        soc_2018_code as to_code
    from hybrid_2019
    union all
    select distinct
        'SOC 2010/2018 hybrid' as from_vintage,
        oes_2019_code as from_code,
        'SOC 2010' as to_vintage,
        soc_2010_code as to_code
    from hybrid_2019
),

links_counted as (
    -- one to one: each code is the only partner of its partner
    select
        *,
        count(*) over (partition by from_vintage, to_vintage, from_code) as n_partners_of_from,
        count(*) over (partition by from_vintage, to_vintage, to_code) as n_partners_of_to
    from code_links
),

crosswalk_steps as (
    -- one row per code and newer vintage: the code it maps to one to one, else how it breaks
    select
        from_vintage,
        from_code,
        to_vintage,
        case
            when max(n_partners_of_from) = 1 and max(n_partners_of_to) = 1 then any_value(to_code)
        end as to_code,
        case
            when max(n_partners_of_from) = 1 and max(n_partners_of_to) = 1 then 'one to one'
            when max(n_partners_of_to) = 1 then 'split'
            when max(n_partners_of_from) = 1 then 'merged'
            else 'split and merged'
        end as step_kind
    from links_counted
    group by 1, 2, 3
),

soc_2010_codes_arriving as (
    -- how a SOC 2010 code came from SOC 2000: one to one, a split or a merge
    select
        to_code as soc_2010_code,
        case
            when max(n_partners_of_from) = 1 and max(n_partners_of_to) = 1 then 'one to one'
            when max(n_partners_of_to) = 1 then 'split'
            when max(n_partners_of_from) = 1 then 'merged'
            else 'split and merged'
        end as step_kind
    from links_counted
    where from_vintage = 'SOC 2000'
    group by 1
),

hybrid_2010_candidates as (
    -- a May 2010/2011 code is a SOC 2000 or a SOC 2010 code: the one-to-one pairs it may be
    select
        from_code as occ_code,
        to_code as soc_2010_code
    from crosswalk_steps
    where from_vintage = 'SOC 2000' and to_code is not null
    union
    select
        to_code as occ_code,
        to_code as soc_2010_code
    from crosswalk_steps
    where from_vintage = 'SOC 2000' and to_code is not null
),

hybrid_2010_codes as (
    select soc_2000_code as occ_code from crosswalk_2000_2010
    union
    select soc_2010_code as occ_code from crosswalk_2000_2010
),

hybrid_2010_steps as (
    -- one pair: one to one; two pairs (a SOC 2000 code that SOC 2010 reuses for another
    -- occupation): ambiguous; none: the code is part of a split or merge
    select
        'SOC 2000/2010 hybrid' as from_vintage,
        hybrid_2010_codes.occ_code as from_code,
        'SOC 2010' as to_vintage,
        case
            when count(distinct hybrid_2010_candidates.soc_2010_code) = 1
                then any_value(hybrid_2010_candidates.soc_2010_code)
        end as to_code,
        case
            when count(distinct hybrid_2010_candidates.soc_2010_code) = 1 then 'one to one'
            when count(distinct hybrid_2010_candidates.soc_2010_code) > 1 then 'ambiguous'
            else coalesce(any_value(soc_2000_steps.step_kind), any_value(soc_2010_codes_arriving.step_kind))
        end as step_kind
    from hybrid_2010_codes
    left join hybrid_2010_candidates
        on hybrid_2010_codes.occ_code = hybrid_2010_candidates.occ_code
    left join crosswalk_steps as soc_2000_steps
        on hybrid_2010_codes.occ_code = soc_2000_steps.from_code
        and soc_2000_steps.from_vintage = 'SOC 2000'
    left join soc_2010_codes_arriving
        on hybrid_2010_codes.occ_code = soc_2010_codes_arriving.soc_2010_code
    group by 1, 2, 3
),

next_steps as (
    -- the step each code takes: a one-to-one link first, to the newest vintage first
    select *
    from (
        select * from crosswalk_steps
        union all
        select * from hybrid_2010_steps
    ) as steps
    qualify row_number() over (
        partition by from_vintage, from_code
        order by to_code is null, to_vintage desc
    ) = 1
),

codes_known as (
    select
        from_vintage as soc_vintage,
        from_code as occ_code
    from next_steps
    union
    select
        to_vintage as soc_vintage,
        to_code as occ_code
    from code_links
    union
    select
        soc_vintages.soc_vintage,
        estimates_deduplicated.occ_code
    from estimates_deduplicated
    inner join soc_vintages
        on estimates_deduplicated.release_year = soc_vintages.release_year
    where estimates_deduplicated.o_group = 'detailed'
),

codes_walked as (
    -- at most three steps: a hybrid 2019 code -> SOC 2010 -> SOC 2018
    select
        codes_known.soc_vintage,
        codes_known.occ_code,
        case
            when third_step.to_code is not null then third_step.to_vintage
            when second_step.to_code is not null then second_step.to_vintage
            when first_step.to_code is not null then first_step.to_vintage
            else codes_known.soc_vintage
        end as series_soc_vintage,
        coalesce(third_step.to_code, second_step.to_code, first_step.to_code, codes_known.occ_code)
            as series_occ_code,
        case
            when first_step.to_code is null
                then
                    first_step.step_kind || ' from ' || first_step.from_vintage
                    || ' to ' || first_step.to_vintage
            when second_step.to_code is null
                then
                    second_step.step_kind || ' from ' || second_step.from_vintage
                    || ' to ' || second_step.to_vintage
            when third_step.to_code is null then
                third_step.step_kind || ' from ' || third_step.from_vintage
                || ' to ' || third_step.to_vintage
        end as series_break
    from codes_known
    left join next_steps as first_step
        on codes_known.soc_vintage = first_step.from_vintage
        and codes_known.occ_code = first_step.from_code
    left join next_steps as second_step
        on first_step.to_vintage = second_step.from_vintage
        and first_step.to_code = second_step.from_code
    left join next_steps as third_step
        on second_step.to_vintage = third_step.from_vintage
        and second_step.to_code = third_step.from_code
),

series_ruled as (
    select
        codes_walked.soc_vintage,
        code_vintage.soc_vintage_rank,
        codes_walked.occ_code,
        codes_walked.series_soc_vintage,
        series_vintage.soc_vintage_rank as series_soc_vintage_rank,
        codes_walked.series_occ_code,
        codes_walked.series_soc_vintage = 'SOC 2018' as is_series_in_soc_2018,
        case
            when codes_walked.soc_vintage = 'SOC 2018' then 'SOC 2018 code'
            when codes_walked.series_soc_vintage = 'SOC 2018' and codes_walked.series_occ_code = codes_walked.occ_code
                then 'same code, one to one to SOC 2018'
            when codes_walked.series_soc_vintage = 'SOC 2018'
                then 'renamed, one to one to SOC 2018 ' || codes_walked.series_occ_code
            when codes_walked.series_break is not null then codes_walked.series_break
            else 'not in BLS crosswalks from ' || codes_walked.series_soc_vintage
        end as soc_mapping_rule
    from codes_walked
    left join vintages as code_vintage
        on codes_walked.soc_vintage = code_vintage.soc_vintage
    left join vintages as series_vintage
        on codes_walked.series_soc_vintage = series_vintage.soc_vintage
)

select * from series_ruled
