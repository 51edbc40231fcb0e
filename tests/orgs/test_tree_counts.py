from jingpei.orgs import queries


def test_tree_rows_count_children_and_people(cast):
    [root] = queries.tree_rows(cast.officer, None)
    assert (root.org.name, root.children, root.people) == ("召陵区", 2, 3)
    rows = {r.org.name: (r.children, r.people) for r in queries.tree_rows(cast.officer, cast.district)}
    assert rows == {"老窝镇": (1, 2), "万金镇": (1, 1)}
