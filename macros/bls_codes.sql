{#- Expressions on BLS codes that more than one model (or one key) repeats. -#}

{#- SOC major group of an occupation, NN-0000: the first two digits of OCC_CODE. -#}
{% macro soc_major_group_code(column) -%}
    left({{ column }}, 2) || '-0000'
{%- endmacro %}

{#- Texts as a SQL list, ('state', 'national'), for `in` (a var's list in a test's `where`). -#}
{% macro sql_text_list(values) -%}
    ({% for value in values %}'{{ value | replace("'", "''") }}'{{ ", " if not loop.last }}{% endfor %})
{%- endmacro %}

{#- A code compared without its leading zeros: one file prints 000000 or 06 where
    another prints 0 or 6 for the same industry or area. -#}
{% macro code_without_leading_zeros(column) -%}
    ltrim({{ column }}, '0')
{%- endmacro %}

{#- The code a row follows across releases: a detailed occupation its series' code (int_soc_series,
    the code in the newest SOC vintage it maps to one to one), a group its own code. -#}
{% macro occ_series_code(o_group, occ_code, series_occ_code) -%}
    case when {{ o_group }} = 'detailed' then coalesce({{ series_occ_code }}, {{ occ_code }}) else {{ occ_code }} end
{%- endmacro %}

{#- A detailed occupation's code, NULL for a group's: the key that joins a row to its SOC series
    (int_soc_series). Said as a key, not as `o_group = 'detailed'` in the left join's condition:
    DuckDB plans a condition on the kept side alone as a nested-loop join (seconds), a key as a hash join. -#}
{% macro detailed_occ_code(o_group, occ_code) -%}
    case when {{ o_group }} = 'detailed' then {{ occ_code }} end
{%- endmacro %}
