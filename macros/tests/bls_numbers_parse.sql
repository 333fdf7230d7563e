{#- Fails on every cell of `columns` that is neither empty, a finite number (thousands
    separators allowed) nor a BLS symbol (* ** # ~). analysis_py/cell_checks.py applies
    the same rule before a workbook is landed. -#}
{% test bls_numbers_parse(model, columns) %}

with

cells as (
    {% for column in columns %}
    select
        '{{ column }}' as column_name,
        {{ column }} as cell,
    from {{ model }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

unparseable_cells as (
    select *
    from cells
    where nullif(trim(cell), '') is not null
        and trim(cell) not in {{ bls_symbols() }}
        and not coalesce(isfinite(try_cast(replace(trim(cell), ',', '') as double)), false)
)

select * from unparseable_cells

{% endtest %}
