{#- Fails on every cell of `columns` (default: bls_numeric_columns) that is neither empty, a number (bls_number_pattern:
    thousands separators only in groups of three) nor a BLS symbol (* ** # ~).
    analysis_py/landing/cell_checks.py applies the same rule (`vars: bls_numbers`) before a
    workbook is landed. Each failing cell carries its row's workbook provenance
    (bls_provenance_columns). -#}
{% test bls_numbers_parse(model, columns=none) %}

{%- set columns = columns if columns is not none else bls_numeric_columns() %}

with

cells as (
    {% for column in columns %}
    select
        '{{ column }}' as column_name,
        {{ column }} as cell,
        {{ bls_provenance_columns() | join(', ') }},
    from {{ model }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

unparseable_cells as (
    select *
    from cells
    where nullif(trim(cell), '') is not null
        and trim(cell) not in {{ bls_symbols() }}
        and not regexp_full_match(trim(cell), '{{ bls_number_pattern() }}')
)

select * from unparseable_cells

{% endtest %}
