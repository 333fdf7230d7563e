{#- In a workbook that prints `#` in a wage family (hourly or annual percentiles), BLS
    publishes no percentile of that family at or above its release's bound: a `#` stands for
    every value from the bound up. So a published value at or above the bound of `bounds`
    means the seed's bound is wrong (a statistic would treat `#` as the wrong floor). Fails on
    each such cell, with its row's provenance and the bound; releases whose bound is not a
    ceiling of their published values (`bound_is_ceiling` false) are not checked.
    `families`: bound column of `bounds` -> the model's columns that bound applies to. -#}
{% test top_code_bound_is_ceiling(model, bounds, families) %}

with

estimates as (
    select * from {{ model }}
),

top_code_bounds as (
    select * from {{ bounds }}
),

percentiles as (
    {% for bound_column, columns in families.items() %}
        {% for column in columns %}
    select
        '{{ bound_column }}' as bound_column,
        '{{ column }}' as column_name,
        {{ column }} as value,
        is_{{ column }}_top_coded as is_top_coded,
        source_sha256,
        {{ bls_provenance_columns() | join(', ') }},
    from estimates
            {% if not loop.last %}union all{% endif %}
        {% endfor %}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

families_printing_top_code as (
    select distinct
        release_year,
        source_sha256,
        bound_column,
    from percentiles
    where is_top_coded
),

family_bounds as (
    select
        families_printing_top_code.*,
        case families_printing_top_code.bound_column
            {% for bound_column in families %}
            when '{{ bound_column }}' then top_code_bounds.{{ bound_column }}
            {% endfor %}
        end as bound,
    from families_printing_top_code
    inner join top_code_bounds
        on families_printing_top_code.release_year = top_code_bounds.release_year
    where top_code_bounds.bound_is_ceiling
),

published_at_or_above_bound as (
    select
        percentiles.*,
        family_bounds.bound,
    from percentiles
    inner join family_bounds
        on percentiles.release_year = family_bounds.release_year
        and percentiles.source_sha256 = family_bounds.source_sha256
        and percentiles.bound_column = family_bounds.bound_column
    where percentiles.value >= family_bounds.bound
)

select * from published_at_or_above_bound

{% endtest %}
