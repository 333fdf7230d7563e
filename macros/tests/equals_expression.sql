{#- Fails where the column differs from `expression` by more than `tolerance`
    (relative), or where exactly one of them is NULL. -#}
{% test equals_expression(model, column_name, expression, tolerance=1e-9) %}

with

compared as (
    select
        {{ column_name }} as actual_value,
        {{ expression }} as expected_value,
    from {{ model }}
)

select * from compared
where (actual_value is null) <> (expected_value is null)
    or abs(actual_value - expected_value) > {{ tolerance }} * greatest(abs(expected_value), 1)

{% endtest %}
