{#- Fails on every number of the source outside its column's bounds (bls_number_bounds,
    from dbt_project.yml `vars: bls_numbers`; ingest refuses the same cells), with its row's
    workbook provenance (bls_provenance_columns). -#}
{% test bls_numbers_in_bounds(model) %}

{%- set bounds = bls_number_bounds() %}

with

numbers as (
    {% for column, range in bounds.items() %}
    select
        '{{ column }}' as column_name,
        {{ column }} as cell,
        {{ bls_provenance_columns() | join(', ') }},
        try_cast(replace(trim({{ column }}), ',', '') as double) as value,
        {{ range[0] }} as lowest,
        {{ range[1] }} as highest,
    from {{ model }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

out_of_bounds as (
    select *
    from numbers
    where value < lowest or value > highest
)

select * from out_of_bounds

{% endtest %}
