{#- BLS prints numbers as text or numbers, sometimes with thousands separators, and puts
    symbols where no number is published:
      *   wage estimate not available        **  employment estimate not available
      #   wage at or above the top-code bound
      ~   fewer than 0.5% of establishments report the occupation (industry files, PCT_RPT)
    parse_bls_number turns a cell into a double, NULL for a symbol or an empty cell.
    It uses try_cast; the generic test `bls_numbers_parse` on the source fails on any
    cell that is neither a number nor one of these symbols, so nothing is nulled silently. -#}

{% macro bls_symbols() %}('*', '**', '#', '~'){% endmacro %}

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
