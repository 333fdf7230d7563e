{#- BLS prints numbers as text or numbers, sometimes with thousands separators, and puts
    symbols where no number is published:
      *   wage estimate not available        **  employment estimate not available
      #   wage at or above the top-code bound
      ~   fewer than 0.5% of establishments report the occupation (industry files, PCT_RPT)
    parse_bls_number turns a cell into a double, NULL for a symbol or an empty cell.
    It uses try_cast; the generic tests `bls_numbers_parse` and `bls_numbers_in_bounds`
    on the source fail on any cell that is neither a number (bls_number_pattern) within
    its column's bounds nor one of these symbols, so nothing is nulled silently
    (and `bls_numbers_whole` on a fraction where staging casts to an integer).
    The owner of these rules is analysis_py/bls.py (NUMBER_PATTERN, NUMBER_BOUNDS), which
    ingest applies before landing; tests/unit/test_hostile_workbooks.py checks that the
    two macros below say the same. -#}

{% macro bls_symbols() %}('*', '**', '#', '~'){% endmacro %}

{#- analysis_py/bls.py NUMBER_PATTERN: thousands separators only in groups of three. -#}
{% macro bls_number_pattern() %}{{ return('[+-]?(\\d{1,3}(,\\d{3})+|\\d+)(\\.\\d+)?([eE][+-]?\\d+)?') }}{% endmacro %}

{#- analysis_py/bls.py NUMBER_BOUNDS: column -> [lowest, highest] published value. -#}
{% macro bls_number_bounds() %}
    {{ return({
        'area_type': [1, 6],
        'tot_emp': [0, 1000000000],
        'emp_prse': [0, 1000],
        'jobs_1000': [0, 1000],
        'loc_quotient': [0, 10000],
        'pct_total': [0, 100],
        'pct_rpt': [0, 100],
        'mean_prse': [0, 1000],
        'h_mean': [0, 10000],
        'h_pct10': [0, 10000],
        'h_pct25': [0, 10000],
        'h_median': [0, 10000],
        'h_pct75': [0, 10000],
        'h_pct90': [0, 10000],
        'a_mean': [0, 20800000],
        'a_pct10': [0, 20800000],
        'a_pct25': [0, 20800000],
        'a_median': [0, 20800000],
        'a_pct75': [0, 20800000],
        'a_pct90': [0, 20800000],
    }) }}
{% endmacro %}

{% macro parse_bls_number(column) -%}
    case
        when nullif(trim({{ column }}), '') is null then null
        when trim({{ column }}) in {{ bls_symbols() }} then null
        else try_cast(replace(trim({{ column }}), ',', '') as double)
    end
{%- endmacro %}

{% macro is_bls_symbol(column, symbol) -%}
    coalesce(trim({{ column }}) = '{{ symbol }}', false)
{%- endmacro %}

{#- ANNUAL / HOURLY: BLS prints TRUE (text) or a boolean cell; empty means false. -#}
{% macro parse_bls_boolean(column) -%}
    coalesce(lower(trim({{ column }})) in ('true', '1', 'yes'), false)
{%- endmacro %}

{#- OCC_CODE as text NN-NNNN (a numeric cell or a code without its dash is repaired). -#}
{% macro normalize_occ_code(column) -%}
    case
        when regexp_full_match(trim({{ column }}), '\d{2}-\d{4}') then trim({{ column }})
        when regexp_full_match(trim({{ column }}), '\d{6}')
            then substr(trim({{ column }}), 1, 2) || '-' || substr(trim({{ column }}), 3, 4)
        else trim({{ column }})
    end
{%- endmacro %}
