{#- The numeric columns of a BLS OEWS workbook, by the symbol that may stand in them. Their one
    owner is dbt_project.yml `vars: bls_numbers` (analysis_py/bls.py `number_rules` reads it too). -#}

{% macro bls_employment_columns() %}
    {{ return(var('bls_numbers')['employment_columns']) }}
{% endmacro %}

{#- Counts (employment): whole numbers, typed BIGINT in staging. -#}
{% macro bls_count_columns() %}
    {{ return(var('bls_numbers')['count_columns']) }}
{% endmacro %}

{#- Whole numbers: the area type code and the counts (ingest refuses a fraction too). -#}
{% macro bls_whole_number_columns() %}
    {{ return(var('bls_numbers')['whole_number_columns']) }}
{% endmacro %}

{% macro bls_hourly_wage_columns() %}
    {{ return(var('bls_numbers')['hourly_wage_columns']) }}
{% endmacro %}

{% macro bls_annual_wage_columns() %}
    {{ return(var('bls_numbers')['annual_wage_columns']) }}
{% endmacro %}

{% macro bls_wage_columns() %}
    {{ return(bls_hourly_wage_columns() + var('bls_numbers')['wage_prse_columns'] + bls_annual_wage_columns()) }}
{% endmacro %}

{#- Where a row of a model came from (the raw landing's provenance, which staging and the
    marts keep): the row-level tests return them with each failing row, so that a failed build
    names the workbook rows (analysis_py/warehouse/build.py). -#}
{% macro bls_provenance_columns() %}
    {{ return(['release_year', 'file_kind', 'source_file', 'sheet_name', 'sheet_row']) }}
{% endmacro %}

{% macro bls_numeric_columns() %}
    {{ return(bls_employment_columns() + bls_wage_columns()) }}
{% endmacro %}
