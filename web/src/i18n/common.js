export default {
  zh: {
    app: { name: '邻里', title: '邻里 · 社区治理', skip: '跳到主要内容' },
    common: {
      login: '登录', logout: '退出', username: '用户名', password: '密码', submit: '提交', save: '保存', cancel: '取消',
      search: '搜索', loading: '加载中…', more: '加载更多', none: '暂无数据', yes: '是', no: '否', back: '返回',
      error: '出错了', retry: '重试', close: '关闭', all: '全部', export: '导出', print: '打印', settings: '显示设置',
      language: '语言', largeText: '大字模式', highContrast: '高对比度', readingAid: '阅读辅助',
      pinyin: '显示拼音', traditional: '繁体', simplified: '简体', loginFailed: '用户名或密码错误',
    },
  },
  en: {
    app: { name: 'Linli', title: 'Linli · community governance', skip: 'Skip to main content' },
    common: {
      login: 'Log in', logout: 'Log out', username: 'Username', password: 'Password', submit: 'Submit', save: 'Save', cancel: 'Cancel',
      search: 'Search', loading: 'Loading…', more: 'Load more', none: 'Nothing yet', yes: 'Yes', no: 'No', back: 'Back',
      error: 'Something went wrong', retry: 'Retry', close: 'Close', all: 'All', export: 'Export', print: 'Print', settings: 'Display',
      language: 'Language', largeText: 'Large text', highContrast: 'High contrast', readingAid: 'Reading aid',
      pinyin: 'Show pinyin', traditional: 'Traditional', simplified: 'Simplified', loginFailed: 'Wrong username or password',
    },
  },
};
