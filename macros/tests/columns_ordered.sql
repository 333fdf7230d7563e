{#- Fails on rows where the columns of one of `orders`, read left to right, decrease (NULLs
    are skipped: a suppressed or top-coded percentile says nothing about order). Returns one
    row per broken rule (`a <= b`) and row, with the row's workbook provenance
    (bls_provenance_columns); all lists in one test, one dbt node. -#}
{% test columns_ordered(model, orders) %}

    {%- set pairs = [] %}
    {%- for columns in orders %}
    {%- for i in range(columns | length - 1) %}
        {%- for j in range(i + 1, columns | length) %}
            {%- do pairs.append((columns[i], columns[j])) %}
        {%- endfor %}
    {%- endfor %}
{%- endfor %}

with

pairs as (
{%- for lower_column, upper_column in pairs %}
    select
        '{{ lower_column }} <= {{ upper_column }}' as rule,
        {{ lower_column }} as lower_value,
        {{ upper_column }} as upper_value,
        {{ bls_provenance_columns() | join(', ') }},
    from {{ model }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

violations as (
    select * from pairs
    where lower_value > upper_value
)

select * from violations

{% endtest %}
