{#- A model's columns that must never be NULL, checked in one test and one scan (a not_null test
    per column would cost a dbt node each: about 30 ms of every build). A column is a name, or
    {column, where} to check it only on the rows `where` (a SQL condition) selects. Returns one
    row per column holding NULLs; the failure count is the number of NULL cells. -#}
{% test not_null_columns(model, columns) %}
    {{ config(fail_calc="coalesce(sum(null_cells), 0)") }}

    {%- set names = [] %}

with

null_counts as (
    select
{%- for column in columns %}
        {%- set name = column.column if column is mapping else column %}
        {%- do names.append(name) %}
        count(*) filter (where {{ name }} is null
            {%- if column is mapping and column.where %} and ({{ column.where }}){% endif -%}
        ) as {{ name }},
        {%- endfor %}
    from {{ model }}
)

select column_name, null_cells
from null_counts
unpivot (null_cells for column_name in ({{ names | join(', ') }}))
where null_cells > 0

{% endtest %}
