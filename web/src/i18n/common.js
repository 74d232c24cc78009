export default {
  zh: {
    app: { name: '邻里', title: '邻里 · 社区治理', skip: '跳到主要内容' },
    common: {
      login: '登录', logout: '退出', username: '用户名', password: '密码', submit: '提交', save: '保存', cancel: '取消',
      search: '搜索', loading: '加载中…', more: '加载更多', none: '暂无数据', yes: '是', no: '否', back: '返回',
      error: '出错了', retry: '重试', close: '关闭', all: '全部', export: '导出', print: '打印', settings: '显示设置',
      language: '语言', largeText: '大字模式', highContrast: '高对比度', readingAid: '阅读辅助',
      pinyin: '显示拼音', traditional: '繁体', simplified: '简体', loginFailed: '用户名或密码错误',
      totp: {
        title: '动态验证码', code: '6位动态验证码', verify: '验证并登录', back: '返回重新输入密码',
        hint: '打开手机上的验证器应用（如腾讯身份验证器、Google Authenticator），输入“邻里”显示的6位数字。',
        mustEnrol: '本系统要求管理员使用动态验证码：请用验证器应用扫描下面的二维码，再输入它显示的验证码。',
        qrAlt: '动态验证码绑定二维码', secret: '无法扫码时手动输入密钥：',
      },
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
      totp: {
        title: 'Verification code', code: '6-digit code', verify: 'Verify and log in', back: 'Back to the password',
        hint: 'Open the authenticator app on your phone (Google Authenticator, Microsoft Authenticator …) and type the 6 digits it shows for linli.',
        mustEnrol: 'Administrators must use two-factor login here: scan the QR code below with an authenticator app, then type the code it shows.',
        qrAlt: 'QR code for two-factor enrolment', secret: 'Or type the secret by hand:',
      },
    },
  },
};
