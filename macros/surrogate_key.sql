{#- md5 of the key columns, NULL-safe (written here: dbt hub packages cannot be installed). -#}
{% macro surrogate_key(columns) -%}
    md5(concat_ws('|', {% for column in columns %}coalesce(cast({{ column }} as varchar), '<null>'){% if not loop.last %}, {% endif %}{% endfor %}))
{%- endmacro %}
