{#- One row per landed workbook row: BLS text typed, symbols -> NULL plus a flag. -#}

with

source as (
    select * from {{ source('oews', 'oews_estimates') }}
),

renamed as (
    select
        ---------- provenance
        release_year,
        file_kind,
        source_file,
        source_sha256,
        sheet_name,
        sheet_row,
        loaded_at,

        ---------- area
        trim(area) as area,
        trim(area_title) as area_title,
        cast({{ parse_bls_number('area_type') }} as integer) as area_type,
        nullif(upper(trim(prim_state)), '') as prim_state,

        ---------- industry and ownership
        trim(naics) as naics,
        trim(naics_title) as naics_title,
        lower(trim(i_group)) as i_group,
        trim(own_code) as own_code,

        ---------- occupation
        {{ normalize_occ_code('occ_code') }} as occ_code,
        trim(occ_title) as occ_title,
        lower(trim(o_group)) as o_group,

        ---------- employment (** = not available; counts as BIGINT)
        {% for column in bls_employment_columns() %}
            {% if column in bls_count_columns() %}
                cast({{ parse_bls_number(column) }} as bigint) as {{ column }},
            {% else %}
                {{ parse_bls_number(column) }} as {{ column }},
            {% endif %}
            {{ is_bls_symbol(column, 'employment_not_available') }} as is_{{ column }}_not_available,
        {% endfor %}
        {{ is_bls_symbol('pct_rpt', 'below_half_percent') }} as is_pct_rpt_below_half_percent,

        ---------- wages (* or *** = not available, # = top-coded at the release's bound)
        {% for column in bls_wage_columns() %}
            {{ parse_bls_number(column) }} as {{ column }},
            (
                {{ is_bls_symbol(column, 'wage_not_available') }}
                or {{ is_bls_symbol(column, 'wage_removed') }}
            ) as is_{{ column }}_not_available,
            {% if column != 'mean_prse' %}
                {{ is_bls_symbol(column, 'top_coded') }} as is_{{ column }}_top_coded,
            {% endif %}
        {% endfor %}

        ---------- pay basis
        {{ parse_bls_boolean('annual') }} as annual,
        {{ parse_bls_boolean('hourly') }} as hourly

    from source
)

select * from renamed
