{#- Real equals nominal x the CPI ratio, computed here from the seed cpi_u_may itself:
    CPI-U of May of the base release (dim_release) over CPI-U of May of the row's release.
    Checks fct_occupation_wages.a_mean_real and both real changes of fct_wage_changes. -#}

with

occupation_wages as (
    select * from {{ ref('fct_occupation_wages') }}
),

wage_changes as (
    select * from {{ ref('fct_wage_changes') }}
),

releases as (
    select * from {{ ref('dim_release') }}
),

cpi_u_may as (
    select * from {{ ref('cpi_u_may') }}
),

base_cpi as (
    select cpi_u_may.cpi_u as base_cpi_u,
    from releases
    inner join cpi_u_may
        on releases.release_year = cpi_u_may.release_year
    where releases.is_real_dollars_base
),

ratios as (
    select
        cpi_u_may.release_year,
        base_cpi.base_cpi_u / cpi_u_may.cpi_u as cpi_ratio,
    from cpi_u_may
    cross join base_cpi
),

wages_off as (
    select 'fct_occupation_wages' as model, occupation_wages.occupation_wage_id as id,
    from occupation_wages
    inner join ratios
        on occupation_wages.release_year = ratios.release_year
    where abs(occupation_wages.a_mean_real - occupation_wages.a_mean * ratios.cpi_ratio) > 1e-6
        or (occupation_wages.a_mean_real is null) <> (occupation_wages.a_mean is null)
),

changes_off as (
    select 'fct_wage_changes' as model, wage_changes.wage_change_id as id,
    from wage_changes
    inner join ratios as earlier
        on wage_changes.earlier_release_year = earlier.release_year
    inner join ratios as later
        on wage_changes.later_release_year = later.release_year
    where abs(
            wage_changes.a_mean_real_change
            - (wage_changes.a_mean_later * later.cpi_ratio - wage_changes.a_mean_earlier * earlier.cpi_ratio)
        ) > 1e-6
        or abs(
            wage_changes.a_median_real_change
            - (wage_changes.a_median_later * later.cpi_ratio - wage_changes.a_median_earlier * earlier.cpi_ratio)
        ) > 1e-6
)

select * from wages_off
union all
select * from changes_off
