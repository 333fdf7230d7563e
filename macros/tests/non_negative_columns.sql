{#- A model's columns that must never be below zero, checked in one test and one scan (a
    non_negative test per column would cost a dbt node each: about 30 ms of every build).
    Returns one row per column holding a negative value, with the lowest; the failure count
    is the number of negative cells. -#}
{% test non_negative_columns(model, columns) %}
    {{ config(fail_calc="coalesce(sum(negative_cells), 0)") }}

with

negative_counts as (
    select
    {%- for column in columns %}
        count(*) filter (where {{ column }} < 0) as {{ column }}__negative_cells,
        cast(min({{ column }}) as double) as {{ column }}__lowest_value,
        {%- endfor %}
    from {{ model }}
)

select column_name, negative_cells, lowest_value
from negative_counts
unpivot (
    (negative_cells, lowest_value) for column_name in (
{%- for column in columns %}
        ({{ column }}__negative_cells, {{ column }}__lowest_value) as {{ column }},
        {%- endfor %}
    )
)
where negative_cells > 0

{% endtest %}
