{#- The numeric columns of a BLS OEWS workbook, by the symbol that may stand in them. -#}

{% macro bls_employment_columns() %}
    {{ return(['tot_emp', 'emp_prse', 'jobs_1000', 'loc_quotient', 'pct_total', 'pct_rpt']) }}
{% endmacro %}

{#- Counts (employment): whole numbers, typed BIGINT in staging. -#}
{% macro bls_count_columns() %}
    {{ return(['tot_emp']) }}
{% endmacro %}

{#- Whole numbers (analysis_py/bls.py WHOLE_NUMBER_COLUMNS): the area type code and the counts. -#}
{% macro bls_whole_number_columns() %}
    {{ return(['area_type', 'tot_emp']) }}
{% endmacro %}

{% macro bls_hourly_wage_columns() %}
    {{ return(['h_mean', 'h_pct10', 'h_pct25', 'h_median', 'h_pct75', 'h_pct90']) }}
{% endmacro %}

{% macro bls_annual_wage_columns() %}
    {{ return(['a_mean', 'a_pct10', 'a_pct25', 'a_median', 'a_pct75', 'a_pct90']) }}
{% endmacro %}

{% macro bls_wage_columns() %}
    {{ return(bls_hourly_wage_columns() + ['mean_prse'] + bls_annual_wage_columns()) }}
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
