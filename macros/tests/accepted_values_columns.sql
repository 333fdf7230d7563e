{#- dbt's accepted_values for several columns of a model in one test (a test per column would
    cost a dbt node each). Each of `columns` is {column, values, where}: the column's values
    must be among `values` (text quoted, numbers and booleans as they are), on the rows `where`
    (a SQL condition, optional) selects; NULLs pass, as in dbt's test. Returns one row per
    column and value not accepted; the failure count is the number of such cells. -#}
{% test accepted_values_columns(model, columns) %}
    {{ config(fail_calc="coalesce(sum(n_cells), 0)") }}

with

unaccepted_cells as (
{%- for rule in columns %}
    select
        '{{ rule.column }}' as column_name,
        cast({{ rule.column }} as varchar) as value,
    from {{ model }}
    where {{ rule.column }} not in (
        {%- for value in rule['values'] -%}
            {%- if value is string %}'{{ value | replace("'", "''") }}'{% else %}{{ value | lower }}{% endif -%}
            {{- ", " if not loop.last -}}
        {%- endfor -%}
    )
    {%- if rule.where %}
        and ({{ rule.where }})
    {%- endif %}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

unaccepted_values as (
    select
        column_name,
        value,
        count(*) as n_cells,
    from unaccepted_cells
    group by all
)

select * from unaccepted_values

{% endtest %}
