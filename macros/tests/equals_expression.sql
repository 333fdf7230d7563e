{#- Fails on every cell of `expressions` (column -> SQL expression) that differs from its
    expression by more than `tolerance` (relative), or where exactly one of them is NULL.
    Returns the column, its expression and both values; all columns in one test, one dbt node. -#}
{% test equals_expression(model, expressions, tolerance=1e-9) -%}

with

compared as (
{%- for column, expression in expressions.items() %}
    select
        '{{ column }}' as column_name,
        '{{ expression | replace("'", "''") }}' as expression,
        cast({{ column }} as double) as actual_value,
        cast({{ expression }} as double) as expected_value,
    from {{ model }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

differences as (
    select * from compared
    where (actual_value is null) <> (expected_value is null)
        or abs(actual_value - expected_value) > {{ tolerance }} * greatest(abs(expected_value), 1)
)

select * from differences

{% endtest %}
