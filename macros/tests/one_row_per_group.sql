{#- Fails for each group of `group_by` that has not exactly one row matching `condition`,
    e.g. one 00-0000 (all occupations) row per release, area, industry and ownership. -#}
{% test one_row_per_group(model, group_by, condition) %}

with

groups as (
    select
        {{ group_by | join(', ') }},
        count(*) filter (where {{ condition }}) as n_matching,
    from {{ model }}
    group by all
)

select * from groups
where n_matching <> 1

{% endtest %}
