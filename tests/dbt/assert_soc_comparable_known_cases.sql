{#- is_soc_comparable on known cases of BLS's releases (checked when loaded):
    registered nurses (29-1141), where published in both releases from May 2012 on (SOC
    2010 29-1141 is SOC 2018 29-1141, one to one): comparable; legislators (11-1031) are in
    May 2022 and 2024 but not in May 2025: not comparable from 2024 to 2025; prosthodontists
    (29-1024) are in May 2024 and 2025 but not in May 2022: not comparable from 2022 to
    2024; registered nurses of SOC 2000 (29-1111, split in SOC 2010) and software
    developers of May 2019-2020 (15-1256, two SOC 2018 codes) are never comparable with a
    SOC 2018 release. In general: never comparable with one side missing, and across SOC
    vintages only for totals, major groups and detailed occupations of one series.
    Returns the rows that break these. -#}

with

wage_changes as (
    select * from {{ ref('fct_wage_changes') }}
),

soc_vintages as (
    select * from {{ ref('soc_vintages') }}
),

national_detailed as (
    select * from wage_changes
    where file_kind = 'national' and area = '99' and o_group = 'detailed'
)

select * from national_detailed
where (occ_code = '29-1141' and earlier_release_year >= 2012 and has_earlier_row and has_later_row
        and not is_soc_comparable)
    or (occ_code = '11-1031' and earlier_release_year = 2024 and later_release_year = 2025
        and (is_soc_comparable or has_later_row))
    or (occ_code = '29-1024' and earlier_release_year = 2022 and later_release_year = 2024
        and (is_soc_comparable or has_earlier_row))
    or ('29-1111' in (occ_code_earlier, occ_code_later) and later_release_year >= 2021 and is_soc_comparable)
    or ('15-1256' in (occ_code_earlier, occ_code_later) and later_release_year >= 2021 and is_soc_comparable)

union all

select * from wage_changes
where is_soc_comparable
    and (
        not (has_earlier_row and has_later_row)
        or (
            soc_vintage_earlier <> soc_vintage_later
            and o_group not in ('total', 'major', 'detailed')
        )
    )
