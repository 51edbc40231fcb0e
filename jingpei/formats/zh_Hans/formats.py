# Django's zh_Hans has "m月j日" (03月5日); offices write 3月5日, like its own DATE_FORMAT "Y年n月j日".
MONTH_DAY_FORMAT = "n月j日"
