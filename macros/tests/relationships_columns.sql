{#- dbt's relationships for several columns of a model in one test (a test per column would
    cost a dbt node each). Each of `columns` is {column, to, field, where}: every value of the
    column, on the rows `where` (a SQL condition, optional) selects, must be a value of `field`
    in the model `to`; NULLs pass, as in dbt's test. Returns one row per column and value
    missing from its parent; the failure count is the number of such cells. -#}
{% test relationships_columns(model, columns) %}
    {{ config(fail_calc="coalesce(sum(n_cells), 0)") }}

with

orphan_cells as (
{%- for key in columns %}
    select
        '{{ key.column }}' as column_name,
        '{{ key.to.identifier }}.{{ key.field }}' as parent_column,
        cast(child.{{ key.column }} as varchar) as value,
    from {{ model }} as child
    where child.{{ key.column }} is not null
        {%- if key.where %}
        and ({{ key.where }})
        {%- endif %}
        and not exists (
            select 1
            from {{ key.to }} as parent
            where parent.{{ key.field }} = child.{{ key.column }}
        )
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

orphan_values as (
    select
        column_name,
        parent_column,
        value,
        count(*) as n_cells,
    from orphan_cells
    group by all
)

select * from orphan_values

{% endtest %}
