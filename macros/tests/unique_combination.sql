{% test unique_combination(model, columns) %}

with

keys as (
    select
        {{ columns | join(', ') }},
        count(*) as n_rows,
    from {{ model }}
    group by all
)

select * from keys
where n_rows > 1

{% endtest %}
