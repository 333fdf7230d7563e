{#- BLS prints numbers as text or numbers, sometimes with thousands separators, and puts
    symbols where no number is published:
      *   wage estimate not available        **  employment estimate not available
      #   wage at or above the top-code bound
      ~   fewer than 0.5% of establishments report the occupation (industry files, PCT_RPT)
      *** wage data removed because of reporting errors (May 2004 and 2005: airline pilots,
          flight attendants); staging counts it as not available
    parse_bls_number turns a cell into a double, NULL for a symbol or an empty cell.
    It uses try_cast; the generic tests `bls_numbers_parse` and `bls_numbers_in_bounds`
    on the source fail on any cell that is neither a number (bls_number_pattern) within
    its column's bounds nor one of these symbols, so nothing is nulled silently
    (and `bls_numbers_whole` on a fraction where staging casts to an integer).
    The one owner of these rules is dbt_project.yml `vars: bls_numbers` (with the work year,
    `vars: row_rules: hours_per_year`): the macros below read it, and so does ingest, which
    applies the same rules before a cell lands (analysis_py/bls.py `number_rules`,
    analysis_py/landing/cell_checks.py). -#}

{#- ('*', '**', '#', '~', '***'): the symbols, in BLS's order, as a SQL list. -#}
{% macro bls_symbols() -%}
    {%- set symbols = var('bls_numbers')['symbols'] -%}
    ('{{ symbols['wage_not_available'] }}', '{{ symbols['employment_not_available'] }}', '{{ symbols['top_coded'] }}', '{{ symbols['below_half_percent'] }}', '{{ symbols['wage_removed'] }}')
{%- endmacro %}

{#- The regular expression a number matches in full: thousands separators only in groups of three. -#}
{% macro bls_number_pattern() %}{{ return(var('bls_numbers')['number_pattern']) }}{% endmacro %}

{#- column -> [lowest, highest] published value: `number_bounds`, then every hourly wage column
    0 to `highest_hourly_wage` and every annual one 0 to that x hours_per_year. -#}
{% macro bls_number_bounds() %}
    {%- set numbers = var('bls_numbers') -%}
    {%- set highest_hourly = numbers['highest_hourly_wage'] -%}
    {%- set highest_annual = highest_hourly * var('row_rules')['hours_per_year'] -%}
    {%- set bounds = {} -%}
    {%- for column, range in numbers['number_bounds'].items() -%}
        {%- do bounds.update({column: range}) -%}
    {%- endfor -%}
    {%- for column in numbers['hourly_wage_columns'] -%}
        {%- do bounds.update({column: [0, highest_hourly]}) -%}
    {%- endfor -%}
    {%- for column in numbers['annual_wage_columns'] -%}
        {%- do bounds.update({column: [0, highest_annual]}) -%}
    {%- endfor -%}
    {{ return(bounds) }}
{% endmacro %}

{% macro parse_bls_number(column) -%}
    case
        when nullif(trim({{ column }}), '') is null then null
        when trim({{ column }}) in {{ bls_symbols() }} then null
        else try_cast(replace(trim({{ column }}), ',', '') as double)
    end
{%- endmacro %}

{#- TRUE where the cell is the symbol named `symbol` in `vars: bls_numbers: symbols`
    (wage_not_available, employment_not_available, top_coded, below_half_percent, wage_removed). -#}
{% macro is_bls_symbol(column, symbol) -%}
    coalesce(trim({{ column }}) = '{{ var('bls_numbers')['symbols'][symbol] }}', false)
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
