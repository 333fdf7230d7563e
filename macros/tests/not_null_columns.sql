{#- A model's columns that must never be NULL, checked in one test and one scan (a not_null test
    per column would cost a dbt node each: about 30 ms of every build). Returns one row per column
    holding NULLs; the failure count is the number of NULL cells. -#}
{% test not_null_columns(model, columns) %}
{{ config(fail_calc="coalesce(sum(null_cells), 0)") }}

with

null_counts as (
    select
        {%- for column in columns %}
        count(*) filter (where {{ column }} is null) as {{ column }},
        {%- endfor %}
    from {{ model }}
)

select column_name, null_cells
from null_counts
unpivot (null_cells for column_name in ({{ columns | join(', ') }}))
where null_cells > 0

{% endtest %}
