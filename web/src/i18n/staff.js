// Messages of the staff console.
export default {
  zh: { staff: { tree: '组织架构', treeSearch: '搜索节点（名称或拼音首字母）', mainNav: '主导航', inbox: '诉求待办', users: '用户与权限' } },
  en: { staff: { tree: 'Organisation tree', treeSearch: 'Search nodes (name or pinyin initials)', mainNav: 'Main navigation', inbox: 'Requests inbox', users: 'Users and access' } },
};
