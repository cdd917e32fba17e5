-- Where do the sources disagree, and by how much? Every pair of figures for the same thing that
-- differ beyond the stated tolerance, largest relative gap first: both values, their periods and
-- the sources' registry ids.
SELECT
    comparison,
    figure,
    round(a_value, 3) AS a_value,
    a_period,
    array_to_string(a_source_ids[1:2], ', ') AS a_ids,
    round(b_value, 3) AS b_value,
    b_period,
    array_to_string(b_source_ids[1:2], ', ') AS b_ids,
    comparable_basis,
    round(relative_gap_ratio, 3) AS relative_gap_ratio
FROM mart.source_discrepancies
ORDER BY relative_gap_ratio DESC, discrepancy_id;
