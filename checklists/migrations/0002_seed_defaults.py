"""Default checklist templates and problem categories. Administrators edit them in the
admin afterwards; re-running this migration never overwrites their edits (upsert by code,
insert only what is missing)."""

from django.db import migrations

TEMPLATES = {
    "inspection_areas": (
        "检查内容",
        [
            ("jiechujing", "接处警"),
            ("shoulian", "受立案"),
            ("xinxi-luru", "信息录入"),
            ("banan-changsuo", "执法办案场所"),
            ("xinfang-chuangkou", "信访窗口"),
            ("huji-chuangkou", "户籍窗口"),
            ("zhiban-beiqin", "值班备勤"),
            ("jingyong-zhuangbei", "警用装备"),
        ],
    ),
    "ten_ones": (
        "十个一",
        [
            ("tanxin-tanhua", "开展一次谈心谈话"),
            ("zuotanhui", "召开一次座谈会"),
            ("chenhui-dianming", "参加一次晨会/点名"),
            ("banan-changsuo", "查看一次执法办案场所"),
            ("jiechujing", "检查一次接处警情况"),
            ("zoufang-qunzhong", "走访一次辖区群众"),
            ("zhongdian-gongzuo", "督导一项重点工作"),
            ("shiji-wenti", "解决一个实际问题"),
            ("zhuanti-dangke", "上一次专题党课/讲一次课"),
            ("zoufang-jilu", "留下一份走访记录"),
        ],
    ),
    "five_haves": (
        "五有",
        [
            ("you-fan-chi", "有饭吃"),
            ("you-reshui", "有热水"),
            ("you-zhibanshi", "有值班室"),
            ("you-xiyifang", "有洗衣房"),
            ("you-xuexi-xunlian", "有学习训练场所"),
        ],
    ),
}

CATEGORIES = [
    ("fire-safety", "消防和安全隐患"),
    ("law-enforcement", "执法规范"),
    ("information-systems", "信息系统"),
    ("team-management", "队伍管理"),
    ("equipment", "装备保障"),
    ("petitions", "信访"),
    ("community-policing", "社区警务"),
]


def seed(apps, schema_editor):
    Template = apps.get_model("checklists", "ChecklistTemplate")
    Item = apps.get_model("checklists", "ChecklistItem")
    Category = apps.get_model("checklists", "ProblemCategory")
    for code, (name, items) in TEMPLATES.items():
        template, _created = Template.objects.get_or_create(code=code, defaults={"name": name})
        Item.objects.bulk_create(
            [
                Item(template=template, code=item_code, label=label, order=(i + 1) * 10)
                for i, (item_code, label) in enumerate(items)
            ],
            ignore_conflicts=True,
        )
    Category.objects.bulk_create(
        [
            Category(code=code, name=name, order=(i + 1) * 10)
            for i, (code, name) in enumerate(CATEGORIES)
        ],
        ignore_conflicts=True,
    )


def unseed(apps, schema_editor):
    apps.get_model("checklists", "ChecklistTemplate").objects.filter(
        code__in=list(TEMPLATES)
    ).delete()
    apps.get_model("checklists", "ProblemCategory").objects.filter(
        code__in=[code for code, _name in CATEGORIES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("checklists", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
