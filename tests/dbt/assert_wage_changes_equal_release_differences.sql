{#- Each change in fct_wage_changes is the difference of its two releases' rows in
    fct_occupation_wages: same key, the right release on each side, each side's code as
    printed (a renamed occupation shows its later code), later minus earlier.
    Returns the rows that are not. -#}

with

wage_changes as (
    select * from {{ ref('fct_wage_changes') }}
),

occupation_wages as (
    select * from {{ ref('fct_occupation_wages') }}
),

changes_with_rows as (
    select
        wage_changes.*,
        earlier.release_year as earlier_row_release_year,
        later.release_year as later_row_release_year,
        earlier.occ_code as earlier_row_occ_code,
        later.occ_code as later_row_occ_code,
        coalesce(earlier.o_group, later.o_group) as row_o_group,
        later.a_mean - earlier.a_mean as expected_a_mean_change,
        later.a_median - earlier.a_median as expected_a_median_change,
    from wage_changes
    left join occupation_wages as earlier
        on wage_changes.earlier_occupation_wage_id = earlier.occupation_wage_id
    left join occupation_wages as later
        on wage_changes.later_occupation_wage_id = later.occupation_wage_id
)

select * from changes_with_rows
where earlier_row_release_year is distinct from (case when has_earlier_row then earlier_release_year end)
    or later_row_release_year is distinct from (case when has_later_row then later_release_year end)
    or earlier_row_occ_code is distinct from occ_code_earlier
    or later_row_occ_code is distinct from occ_code_later
    or occ_code <> coalesce(later_row_occ_code, earlier_row_occ_code)
    or row_o_group <> o_group
    or a_mean_change is distinct from expected_a_mean_change
    or a_median_change is distinct from expected_a_median_change
