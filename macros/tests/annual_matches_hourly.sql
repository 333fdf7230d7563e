{#- BLS computes annual wages as hourly x `hours_per_year` (2,080) hours, rounded. Fails on
    every annual cell of `hourly_columns` (annual column -> hourly column) where both are
    published, the occupation is not annual-only, and they differ by more than `tolerance`
    dollars; each failing row carries the row's workbook provenance (bls_provenance_columns).
    One test for all pairs: a test per pair would cost a dbt node each. -#}
{% test annual_matches_hourly(model, hourly_columns, hours_per_year, tolerance) -%}

with

comparable as (
{%- for annual_column, hourly_column in hourly_columns.items() %}
    select
        '{{ annual_column }}' as column_name,
        '{{ hourly_column }}' as hourly_column,
        {{ annual_column }} as annual_value,
        {{ hourly_column }} as hourly_value,
        {{ bls_provenance_columns() | join(', ') }},
    from {{ model }}
    where {{ annual_column }} is not null
        and {{ hourly_column }} is not null
        and not annual
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

mismatches as (
    select
        *,
        annual_value - hourly_value * {{ hours_per_year }} as difference,
    from comparable
    where abs(annual_value - hourly_value * {{ hours_per_year }}) > {{ tolerance }}
)

select * from mismatches

{% endtest %}
