{#- is_soc_comparable on known cases of BLS's national workbooks (checked when loaded):
    registered nurses (29-1141), where published in both releases from May 2021 on: comparable;
    legislators (11-1031) are in May 2022 and 2024 but not in May 2025: not comparable
    from 2024 to 2025; prosthodontists (29-1024) are in May 2024 and 2025 but not in May
    2022: not comparable from 2022 to 2024. In general: never comparable across the SOC
    2010/2018 break or with one side missing. Returns the rows that break these. -#}

with

wage_changes as (
    select * from {{ ref('fct_wage_changes') }}
),

national_detailed as (
    select * from wage_changes
    where file_kind = 'national' and area = '99' and o_group = 'detailed'
)

select * from national_detailed
where (occ_code = '29-1141' and earlier_release_year >= 2021 and has_earlier_row and has_later_row
        and not is_soc_comparable)
    or (occ_code = '11-1031' and earlier_release_year = 2024 and later_release_year = 2025
        and (is_soc_comparable or has_later_row))
    or (occ_code = '29-1024' and earlier_release_year = 2022 and later_release_year = 2024
        and (is_soc_comparable or has_earlier_row))

union all

select * from wage_changes
where is_soc_comparable
    and (
        not (has_earlier_row and has_later_row)
        or soc_vintage_earlier <> 'SOC 2018'
        or soc_vintage_later <> 'SOC 2018'
    )
