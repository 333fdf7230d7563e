{#- BLS computes annual wages as hourly x 2,080 hours (rounded). Fails where both are
    published, the occupation is not annual-only, and they differ by more than
    `tolerance` dollars. -#}
{% test annual_matches_hourly(model, column_name, hourly_column, tolerance=25) %}

with

comparable as (
    select
        {{ column_name }} as annual_value,
        {{ hourly_column }} as hourly_value,
    from {{ model }}
    where {{ column_name }} is not null
        and {{ hourly_column }} is not null
        and not annual
),

mismatches as (
    select *
    from comparable
    where abs(annual_value - hourly_value * 2080) > {{ tolerance }}
)

select * from mismatches

{% endtest %}
