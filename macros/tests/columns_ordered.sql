{#- Fails on rows where the columns, read left to right, decrease (NULLs are skipped:
    a suppressed or top-coded percentile says nothing about order). -#}
{% test columns_ordered(model, columns) %}

with

pairs as (
    {% for i in range(columns | length - 1) %}
    {% for j in range(i + 1, columns | length) %}
    select
        '{{ columns[i] }} <= {{ columns[j] }}' as rule,
        {{ columns[i] }} as lower_value,
        {{ columns[j] }} as upper_value,
    from {{ model }}
    {% if not (i == columns | length - 2) %}union all{% endif %}
    {% endfor %}
    {% endfor %}
),

violations as (
    select * from pairs
    where lower_value > upper_value
)

select * from violations

{% endtest %}
