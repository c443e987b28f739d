"""Choices of the member record (the national member information form's code lists)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class MemberCategory(models.TextChoices):
    FULL = "full", _("Full member")
    PROBATIONARY = "probationary", _("Probationary member")


class MemberStatus(models.TextChoices):
    """Where a member stands; a record is never deleted, its status changes."""

    ACTIVE = "active", _("Active")
    TRANSFERRED_OUT = "transferred_out", _("Transferred out")
    DECEASED = "deceased", _("Deceased")
    LEFT = "left", _("Left the party")
    EXPELLED = "expelled", _("Expelled")


class Education(models.TextChoices):
    DOCTORATE = "doctorate", _("Postgraduate (doctorate)")
    MASTER = "master", _("Postgraduate (master)")
    BACHELOR = "bachelor", _("University (bachelor)")
    COLLEGE = "college", _("College (junior college)")
    TECHNICAL = "technical", _("Technical secondary school")
    HIGH_SCHOOL = "high_school", _("Senior high school")
    JUNIOR = "junior", _("Junior high school or below")


class LifeStatus(models.TextChoices):
    """人员类别: what the member lives on; drives dues (N-DUES) and community registration."""

    IN_SERVICE = "in_service", _("In service")
    RETIRED = "retired", _("Retired")
    STUDENT = "student", _("Student")
    UNEMPLOYED = "unemployed", _("Unemployed")
    FARMER = "farmer", _("Farmer, herdsman or fisherman")
    SELF_EMPLOYED = "self_employed", _("Self-employed")
    OTHER = "other", _("Other")


# GB 3304-1991: the 56 ethnic groups by code. Roster files carry the Chinese names, so the import
# maps those back to codes (ETHNICITY_BY_CHINESE_NAME).
ETHNICITY_CHOICES = [
    ("01", _("Han")),
    ("02", _("Mongol")),
    ("03", _("Hui")),
    ("04", _("Tibetan")),
    ("05", _("Uyghur")),
    ("06", _("Miao")),
    ("07", _("Yi")),
    ("08", _("Zhuang")),
    ("09", _("Buyei")),
    ("10", _("Korean")),
    ("11", _("Manchu")),
    ("12", _("Dong")),
    ("13", _("Yao")),
    ("14", _("Bai")),
    ("15", _("Tujia")),
    ("16", _("Hani")),
    ("17", _("Kazakh")),
    ("18", _("Dai")),
    ("19", _("Li")),
    ("20", _("Lisu")),
    ("21", _("Va")),
    ("22", _("She")),
    ("23", _("Gaoshan")),
    ("24", _("Lahu")),
    ("25", _("Sui")),
    ("26", _("Dongxiang")),
    ("27", _("Naxi")),
    ("28", _("Jingpo")),
    ("29", _("Kyrgyz")),
    ("30", _("Tu")),
    ("31", _("Daur")),
    ("32", _("Mulao")),
    ("33", _("Qiang")),
    ("34", _("Blang")),
    ("35", _("Salar")),
    ("36", _("Maonan")),
    ("37", _("Gelao")),
    ("38", _("Xibe")),
    ("39", _("Achang")),
    ("40", _("Pumi")),
    ("41", _("Tajik")),
    ("42", _("Nu")),
    ("43", _("Uzbek")),
    ("44", _("Russian")),
    ("45", _("Evenki")),
    ("46", _("De'ang")),
    ("47", _("Bonan")),
    ("48", _("Yugur")),
    ("49", _("Gin")),
    ("50", _("Tatar")),
    ("51", _("Derung")),
    ("52", _("Oroqen")),
    ("53", _("Hezhen")),
    ("54", _("Monba")),
    ("55", _("Lhoba")),
    ("56", _("Jino")),
]
ETHNICITY_BY_CHINESE_NAME = {
    "汉族": "01",
    "蒙古族": "02",
    "回族": "03",
    "藏族": "04",
    "维吾尔族": "05",
    "苗族": "06",
    "彝族": "07",
    "壮族": "08",
    "布依族": "09",
    "朝鲜族": "10",
    "满族": "11",
    "侗族": "12",
    "瑶族": "13",
    "白族": "14",
    "土家族": "15",
    "哈尼族": "16",
    "哈萨克族": "17",
    "傣族": "18",
    "黎族": "19",
    "傈僳族": "20",
    "佤族": "21",
    "畲族": "22",
    "高山族": "23",
    "拉祜族": "24",
    "水族": "25",
    "东乡族": "26",
    "纳西族": "27",
    "景颇族": "28",
    "柯尔克孜族": "29",
    "土族": "30",
    "达斡尔族": "31",
    "仫佬族": "32",
    "羌族": "33",
    "布朗族": "34",
    "撒拉族": "35",
    "毛南族": "36",
    "仡佬族": "37",
    "锡伯族": "38",
    "阿昌族": "39",
    "普米族": "40",
    "塔吉克族": "41",
    "怒族": "42",
    "乌孜别克族": "43",
    "俄罗斯族": "44",
    "鄂温克族": "45",
    "德昂族": "46",
    "保安族": "47",
    "裕固族": "48",
    "京族": "49",
    "塔塔尔族": "50",
    "独龙族": "51",
    "鄂伦春族": "52",
    "赫哲族": "53",
    "门巴族": "54",
    "珞巴族": "55",
    "基诺族": "56",
}


class MemberEventKind(models.TextChoices):
    CREATED = "created", _("Recorded")
    UPDATED = "updated", _("Details changed")
    STATUS_CHANGED = "status_changed", _("Status changed")
    REACTIVATED = "reactivated", _("Reinstated")
    TRANSFERRED = "transferred", _("Transferred")


class TransferKind(models.TextChoices):
    WITHIN_ZONE = "within", _("Within the zone")
    OUT_OF_ZONE = "out", _("Out of the zone")
    INTO_ZONE = "in", _("Into the zone")


class DevelopmentStage(models.TextChoices):
    """S-DEVELOPMENT: the stages before full membership (N-DEVELOPMENT, 2014 rules)."""

    APPLICANT = "applicant", _("Applicant")
    ACTIVIST = "activist", _("Activist")
    TARGET = "target", _("Development target")
    ADMITTED = "admitted", _("Admitted as probationary member")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class LostContactDecision(models.TextChoices):
    """What the home branch decided about a member it could not reach (N-MOBILE): the portal records
    the decision, it never takes it."""

    KEEP_LOOKING = "keep_looking", _("Keep looking for the member")
    STOPPED = "stopped", _("Membership stopped (停止党籍)")
    OTHER = "other", _("Other disposal")


class ContactMeans(models.TextChoices):
    PHONE = "phone", _("Phone")
    MESSAGE = "message", _("Online message")
    VISIT = "visit", _("Visit")
    LETTER = "letter", _("Letter")
