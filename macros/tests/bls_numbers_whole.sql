{#- Fails on every cell of a whole-number column (bls_whole_number_columns: area_type, tot_emp)
    that parses to a number with a fraction: staging casts them to INTEGER and BIGINT, which
    must round nothing (`vars: bls_numbers`; ingest refuses the same cells).
    Each failing cell carries its row's workbook provenance (bls_provenance_columns). -#}
{% test bls_numbers_whole(model) %}

with

numbers as (
    {% for column in bls_whole_number_columns() %}
    select
        '{{ column }}' as column_name,
        {{ column }} as cell,
        {{ bls_provenance_columns() | join(', ') }},
        {{ parse_bls_number(column) }} as parsed_value,
    from {{ model }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

fractional_numbers as (
    select *
    from numbers
    where parsed_value <> round(parsed_value)
)

select * from fractional_numbers

{% endtest %}
