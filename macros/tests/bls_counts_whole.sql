{#- Fails on every cell of a count column (bls_count_columns: tot_emp) that parses to a
    number with a fraction: staging casts counts to BIGINT, which must round nothing. -#}
{% test bls_counts_whole(model) %}

with

counts as (
    {% for column in bls_count_columns() %}
    select
        '{{ column }}' as column_name,
        {{ column }} as cell,
        {{ parse_bls_number(column) }} as parsed_value,
    from {{ model }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

fractional_counts as (
    select *
    from counts
    where parsed_value <> round(parsed_value)
)

select * from fractional_counts

{% endtest %}
